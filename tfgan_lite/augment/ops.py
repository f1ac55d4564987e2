"""The differentiable image operations of DiffAugment, as pure functions.

Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN
Training" (https://arxiv.org/abs/2006.10738), Section 3: colour
(brightness, saturation, contrast), translation by up to 1/8 of the image
with zero padding, and cutout of a square half the image's side. Each
function takes NHWC float images in [-1, 1] and one parameter per sample,
already drawn, so that a test can compare it with a formula and a caller
can reuse one draw. Every function is differentiable with respect to the
images, which is what lets the generator learn through an augmented
discriminator; none of them clips the result to [-1, 1].

Shifts and squares are whole pixels: the images are indexed, never
resampled, so a zero shift returns its input exactly. :func:`warp`, for
ADA's geometric transforms (Karras et al. 2020,
https://arxiv.org/abs/2006.06676, Appendix B), does resample, bilinearly;
the identity still returns its input exactly.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "brightness",
    "contrast",
    "cutout",
    "saturation",
    "translate",
    "warp",
]


def _per_sample(values, images: tf.Tensor) -> tf.Tensor:
    """One value per sample, shaped (N, 1, 1, 1) to broadcast over images."""
    values = tf.cast(tf.convert_to_tensor(values), images.dtype)
    return tf.reshape(values, (-1, 1, 1, 1))


def brightness(images: tf.Tensor, delta) -> tf.Tensor:
    """Adds ``delta[i]`` to every pixel and channel of image i.

    Args:
        images: (N, H, W, C) floats in [-1, 1].
        delta: (N,) shifts; DiffAugment draws them from U[-0.5, 0.5).

    Returns:
        ``images + delta``, shape (N, H, W, C).
    """
    images = tf.convert_to_tensor(images)
    return images + _per_sample(delta, images)


def saturation(images: tf.Tensor, factor) -> tf.Tensor:
    """Scales each pixel's distance from its own channel mean.

    ``m + factor * (x - m)`` with m the mean over channels of that pixel:
    0 makes the image gray, 1 leaves it, 2 doubles the colour. An image
    of one channel equals its own mean, so it is returned unchanged.

    Args:
        images: (N, H, W, C) floats in [-1, 1].
        factor: (N,) factors; DiffAugment draws them from U[0, 2).

    Returns:
        The images, shape (N, H, W, C).
    """
    images = tf.convert_to_tensor(images)
    if images.shape[-1] == 1:
        return images
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    return mean + _per_sample(factor, images) * (images - mean)


def contrast(images: tf.Tensor, factor) -> tf.Tensor:
    """Scales each image's distance from its own mean over all pixels.

    ``m + factor * (x - m)`` with m the mean of image i over H, W and C.

    Args:
        images: (N, H, W, C) floats in [-1, 1].
        factor: (N,) factors; DiffAugment draws them from U[0.5, 1.5).

    Returns:
        The images, shape (N, H, W, C).
    """
    images = tf.convert_to_tensor(images)
    mean = tf.reduce_mean(images, axis=(1, 2, 3), keepdims=True)
    return mean + _per_sample(factor, images) * (images - mean)


FILLS = ("zeros", "reflect")


def _shift_axis(
    images: tf.Tensor, shift, axis: int, fill: str = "zeros"
) -> tf.Tensor:
    """Moves image i by shift[i] pixels along axis (1 or 2).

    What the shift uncovers is 0 (``fill="zeros"``) or the image mirrored
    at its edge, without repeating the edge pixel (``"reflect"``).
    """
    size = tf.shape(images)[axis]
    shift = tf.cast(tf.reshape(shift, (-1, 1)), tf.int32)
    # Output pixel j of image i reads input pixel j - shift[i].
    source = tf.range(size)[None, :] - shift
    inside = (source >= 0) & (source < size)
    if fill == "reflect":
        # -1 -> 1, size -> size - 2: shifts stay below the side.
        source = tf.abs(source)
        source = (size - 1) - tf.abs((size - 1) - source)
    moved = tf.gather(
        images,
        tf.clip_by_value(source, 0, size - 1),
        axis=axis,
        batch_dims=1,
    )
    if fill == "reflect":
        return moved
    mask_shape = (-1, size, 1, 1) if axis == 1 else (-1, 1, size, 1)
    mask = tf.reshape(inside, mask_shape)
    return tf.where(mask, moved, tf.zeros_like(moved))


def translate(
    images: tf.Tensor, shift_y, shift_x, *, fill: str = "zeros"
) -> tf.Tensor:
    """Moves each image by whole pixels.

    Output pixel (y, x) of image i is input pixel (y - shift_y[i],
    x - shift_x[i]). Where that lies outside the image, ``fill="zeros"``
    gives 0 (mid-gray in [-1, 1]), as DiffAugment does; ``"reflect"`` reads
    the image mirrored at its edge, as ADA's integer translation does
    (Karras et al. 2020, Appendix B), so the uncovered band looks like the
    image's own border and nothing new appears that the generator could
    learn to draw.

    Args:
        images: (N, H, W, C) floats in [-1, 1].
        shift_y, shift_x: (N,) integer shifts, down and right, each smaller
            than the side with ``"reflect"``; DiffAugment draws them
            uniformly from [-H/8, H/8] and [-W/8, W/8].
        fill: "zeros" or "reflect".

    Returns:
        The moved images, shape (N, H, W, C).

    Raises:
        ValueError: For another ``fill``.
    """
    if fill not in FILLS:
        raise ValueError(
            f"fill must be one of {', '.join(FILLS)}, got {fill!r}."
        )
    images = tf.convert_to_tensor(images)
    moved = _shift_axis(images, shift_y, 1, fill)
    return _shift_axis(moved, shift_x, 2, fill)


def _band(center, size: int, length) -> tf.Tensor:
    """(N, length) bools: positions within ``size`` of each square's start."""
    start = tf.cast(tf.reshape(center, (-1, 1)), tf.int32) - size // 2
    position = tf.range(length)[None, :]
    return (position >= start) & (position < start + size)


def cutout(images: tf.Tensor, center_y, center_x, size) -> tf.Tensor:
    """Sets a square of each image to 0 (mid-gray in [-1, 1]).

    The square of image i covers rows ``center_y[i] - size[0] // 2`` to
    ``center_y[i] - size[0] // 2 + size[0] - 1``, and columns likewise,
    clipped to the image: a square centred near an edge is cut off by it.

    Args:
        images: (N, H, W, C) floats in [-1, 1].
        center_y, center_x: (N,) integer centres; DiffAugment draws them
            uniformly over the image's rows and columns.
        size: (height, width) of the square in pixels, Python ints;
            DiffAugment uses half the image's side.

    Returns:
        The images with the squares zeroed, shape (N, H, W, C).
    """
    images = tf.convert_to_tensor(images)
    shape = tf.shape(images)
    rows = _band(center_y, size[0], shape[1])
    cols = _band(center_x, size[1], shape[2])
    square = rows[:, :, None, None] & cols[:, None, :, None]
    return tf.where(square, tf.zeros_like(images), images)


def _reflect(coordinate: tf.Tensor, size: int) -> tf.Tensor:
    """Folds pixel-centre coordinates into [0, size - 1] by mirroring.

    The mirror is at the edge pixels' centres, without repeating them, as
    ``numpy.pad(mode="reflect")``: -1 reads 1 and size reads size - 2.
    """
    period = 2.0 * (size - 1)
    folded = tf.math.floormod(coordinate, period)
    return (size - 1) - tf.abs((size - 1) - folded)


def warp(images: tf.Tensor, matrix, *, fill: str = "reflect") -> tf.Tensor:
    """Resamples each image through a linear map about its centre.

    Output pixel (y, x) of image i reads the input at ``c + matrix[i] @
    ((y, x) - c)``, c the image's centre ((H - 1) / 2, (W - 1) / 2), with
    bilinear interpolation: ``matrix`` maps output positions to input
    positions, so to turn the content by an angle a, pass the rotation by
    -a. Positions outside the image read it mirrored at its edge
    (``"reflect"``, as ADA pads before its geometric transforms) or 0
    (``"zeros"``). The identity returns the images exactly; gradients
    reach the images (not the matrices' draws, which need none).

    Args:
        images: (N, H, W, C) floats in [-1, 1], H and W at least 2.
        matrix: (N, 2, 2) maps, rows and columns ordered (y, x).
        fill: "reflect" or "zeros".

    Returns:
        The resampled images, shape (N, H, W, C).

    Raises:
        ValueError: For another ``fill``, a side shorter than 2, or
            matrices of another shape than (N, 2, 2).
    """
    if fill not in FILLS:
        raise ValueError(
            f"fill must be one of {', '.join(FILLS)}, got {fill!r}."
        )
    images = tf.convert_to_tensor(images)
    height, width = images.shape[1], images.shape[2]
    if height is None or width is None or min(height, width) < 2:
        raise ValueError(
            "warp takes images of known height and width of at least 2 "
            f"pixels; got shape {tuple(images.shape)}."
        )
    matrix = tf.cast(tf.convert_to_tensor(matrix), tf.float32)
    if not matrix.shape.is_compatible_with((images.shape[0], 2, 2)):
        raise ValueError(
            "warp takes one 2x2 matrix per image, shape "
            f"({images.shape[0]}, 2, 2); got {tuple(matrix.shape)}."
        )
    center = tf.constant([(height - 1) / 2.0, (width - 1) / 2.0])
    rows, cols = tf.meshgrid(
        tf.range(height, dtype=tf.float32),
        tf.range(width, dtype=tf.float32),
        indexing="ij",
    )
    # (H * W, 2) output positions relative to the centre, then (N, H*W, 2)
    # input positions.
    offsets = tf.reshape(tf.stack([rows, cols], -1), (-1, 2)) - center
    source = tf.einsum("nij,pj->npi", matrix, offsets) + center
    y, x = source[..., 0], source[..., 1]
    if fill == "reflect":
        y, x = _reflect(y, height), _reflect(x, width)
    y0, x0 = tf.floor(y), tf.floor(x)
    wy, wx = y - y0, x - x0
    y0, x0 = tf.cast(y0, tf.int32), tf.cast(x0, tf.int32)
    flat = tf.reshape(images, (-1, height * width, images.shape[3]))

    def read(row, col):
        # Corners outside the image read 0: the zero padding of "zeros"
        # (mirrored positions always lie inside).
        valid = (row >= 0) & (row < height) & (col >= 0) & (col < width)
        index = tf.clip_by_value(row, 0, height - 1) * width
        index += tf.clip_by_value(col, 0, width - 1)
        values = tf.gather(flat, index, batch_dims=1)
        return tf.where(valid[..., None], values, tf.zeros_like(values))

    def weight(w):
        return tf.cast(w, images.dtype)[..., None]

    top = read(y0, x0) * weight(1.0 - wx) + read(y0, x0 + 1) * weight(wx)
    bottom = read(y0 + 1, x0) * weight(1.0 - wx)
    bottom += read(y0 + 1, x0 + 1) * weight(wx)
    out = top * weight(1.0 - wy) + bottom * weight(wy)
    return tf.reshape(out, tf.shape(images))
