"""The EAO regression gate: reference file (:mod:`.reference`), measurement on the regression set
(:mod:`.measure`), the published-score instrument check (:mod:`.instrument`) and the gate itself (:mod:`.gate`)."""
