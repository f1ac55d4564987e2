"""The one mapping from generated samples in [-1, 1] to uint8 pixels.

Sample grids, the SavedModel's uint8 tail and the LiteRT parity checks all
show the same pixels for the same samples because they all call
:func:`to_uint8`. It is written with TensorFlow ops that LiteRT has as
builtins (equal, select, clip, round, cast), so it runs eagerly on numpy
arrays and inside exported graphs alike.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["to_uint8"]


def to_uint8(x) -> tf.Tensor:
    """Maps samples in [-1, 1] to uint8 pixels in [0, 255].

    The mapping is ``clip(round((x + 1) * 127.5), 0, 255)`` computed in
    float32, where ``round`` rounds half to even (``tf.round``,
    ``np.round``). Values outside [-1, 1] are clipped, and NaN becomes 0
    (black), so that a diverged generator shows dark cells rather than
    arbitrary bytes.

    Args:
        x: A float tensor or array of any shape.

    Returns:
        A uint8 tensor of the same shape.

    Example:
        >>> to_uint8([-1.0, 0.0, 1.0, float("nan")]).numpy().tolist()
        [0, 128, 255, 0]
    """
    x = tf.cast(x, tf.float32)
    # NaN != NaN; mapping it before the clip keeps the result defined on
    # every backend (clip and cast of NaN are not).
    x = tf.where(tf.equal(x, x), x, -1.0)
    scaled = tf.round((x + 1.0) * 127.5)
    return tf.cast(tf.clip_by_value(scaled, 0.0, 255.0), tf.uint8)
