"""The callbacks package surface: names, docstrings, records."""

import inspect

import keras

from tfgan_lite import callbacks


def test_surface_is_documented():
    assert callbacks.__all__ == [
        "EMAGenerator",
        "HealthEvent",
        "ImageGrid",
        "MetricsCallback",
        "PointScatter",
        "TrainingHealth",
        "cycle_grid",
        "make_grid",
        "render_scatter",
        "scatter_figure",
    ]
    for name in callbacks.__all__:
        obj = getattr(callbacks, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        assert obj.__module__.startswith("tfgan_lite.callbacks."), name
    for name in (
        "EMAGenerator",
        "ImageGrid",
        "MetricsCallback",
        "PointScatter",
        "TrainingHealth",
    ):
        assert issubclass(getattr(callbacks, name), keras.callbacks.Callback)


def test_options_are_keyword_only():
    def keyword_only(cls, positional):
        params = list(inspect.signature(cls).parameters.values())
        named = [p.name for p in params if p.kind != p.KEYWORD_ONLY]
        assert named == positional, cls

    keyword_only(callbacks.ImageGrid, ["log_dir"])
    keyword_only(callbacks.EMAGenerator, ["decay"])
    keyword_only(callbacks.TrainingHealth, [])
    keyword_only(callbacks.make_grid, ["images"])
    keyword_only(callbacks.MetricsCallback, ["real_images"])
    keyword_only(callbacks.PointScatter, ["real", "log_dir"])
    keyword_only(callbacks.scatter_figure, ["samples", "centers"])
    keyword_only(callbacks.render_scatter, ["samples", "centers"])


def test_health_event_is_an_immutable_record():
    event = callbacks.HealthEvent(3, "mode_collapse", "message", 0.1)
    assert event._fields == ("epoch", "kind", "message", "value")
    assert event == (3, "mode_collapse", "message", 0.1)
    assert hash(event) == hash((3, "mode_collapse", "message", 0.1))
