"""Export of trained generators to SavedModel and LiteRT (TFLite) files."""

__all__: list[str] = []
