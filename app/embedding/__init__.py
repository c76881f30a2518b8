"""Sentence embeddings shared by every domain that compares meaning (drafting's lineage,
synthesis): the pure engine (`engine.py`), the vector cache (`models.py`) and the cached
`embed_texts` service (`services.py`). It sits just above `core`, so drafting may use it
without importing synthesis."""
