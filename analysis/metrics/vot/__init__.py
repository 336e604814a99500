"""VOT supervised and real-time scores: accuracy and failures (:mod:`.accuracy`), EAO (:mod:`.eao`), the EAO
interval (:mod:`.interval`) and the whole analysis of result folders (:mod:`.analysis`)."""
