"""Pure-Python core: catalog, store, engine. Never imports Qt."""
