"""One model per report kind (tables, figure data, facts) and its narrative from the facts, in
phrasings kept as data, and the document's outline: no arithmetic, no file I/O."""
