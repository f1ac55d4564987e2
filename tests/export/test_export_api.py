"""The tfgan_lite.export surface: names and docstrings."""

from tfgan_lite import _pixels, export


def test_public_names_are_documented():
    assert export.__all__
    for name in export.__all__:
        obj = getattr(export, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name


def test_one_pixel_mapping():
    assert export.to_uint8 is _pixels.to_uint8
