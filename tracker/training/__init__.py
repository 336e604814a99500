"""End-to-end SiamRPN training (paper Sec. 3.3 and 5.1): pair sampling, augmentation, anchor targets, loss,
log-space schedule, the training loop with checkpoints/resume and DDP, and licence-clean training data.

Modules: ``config`` (frozen settings), ``datasets`` (GOT-10k, ILSVRC VID, pysot crop511+JSON, VOT/OTB folders,
still images), ``photos`` (freely licensed photographs), ``synthetic_videos`` (rendered training videos over
them), ``scenes`` (photographic composites), ``cutouts`` (object cut-outs pasted over photographs), ``pairs``
(template/search sampling), ``augment`` (Eq. 15 crops + jitter), ``targets`` (anchor labels), ``mining``
(online hard negatives), ``loss`` (Eq. 3-6), ``schedule`` (log-space LR), ``initialise`` (initialisation
before training), ``distributed`` (torchrun/DDP helpers), ``loop`` (the training loop), ``reuse`` (the
feature-reuse trainer), ``tiny`` (a tiny stand-in network for tests). The command is ``siamrpn train``
(``integration.cli.train``: the command line sits above ``tracker``, which imports nothing of it).
"""
