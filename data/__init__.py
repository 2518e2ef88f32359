"""The built-in reference data shipped with the package: the actor catalog, the gazetteer, the issue
taxonomy, the sample corpus and the evaluation set (installed as `ceasefire.data`)."""
