"""End-to-end SiamRPN training (paper Sec. 3.3 and 5.1): pair sampling, augmentation, anchor targets, loss,
log-space schedule, the training loop with checkpoints/resume and DDP, and a licence-clean synthetic data source.

Modules: ``config`` (frozen settings), ``datasets`` (GOT-10k, ILSVRC VID, pysot crop511+JSON, VOT/OTB folders,
still images), ``synthetic_videos`` (rendered training videos over CC0/public-domain photographs), ``pairs``
(template/search sampling), ``augment`` (Eq. 15 crops + jitter), ``targets`` (anchor labels), ``loss`` (Eq. 3-6),
``schedule`` (log-space LR), ``distributed`` (torchrun/DDP helpers), ``loop`` (training), ``cli_train``
(``siamrpn train``).
"""
