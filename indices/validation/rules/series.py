"""Being ported to polars."""
