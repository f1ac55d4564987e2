"""A history of generated images for the discriminator (an image pool).

Shrivastava et al. 2017 (https://arxiv.org/abs/1612.07828, Section 2.3)
update the discriminator on a mix of the newest fakes and older ones, so
that it does not forget earlier generator modes and the generator cannot
cycle between them. CycleGAN (Zhu et al. 2017,
https://arxiv.org/abs/1703.10593, Section 4) keeps 50 images per
discriminator with this rule, applied to each image of a batch in turn:

* while the pool holds fewer than ``size`` images, store the new image
  and return it;
* afterwards, with probability 1/2 return a stored image chosen uniformly
  and store the new one in its place, else return the new image.

:func:`query_pool` is that rule as a pure function; :class:`ImagePool`
keeps the images and their count in non-trainable weights of the model,
so that ``.keras`` files and checkpoints save them and a resumed run
continues exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import keras
import tensorflow as tf

__all__ = ["ImagePool", "PoolResult", "query_pool"]

# Chance that a full pool answers with a stored image (the paper's 1/2).
SWAP_PROBABILITY = 0.5


class PoolResult(NamedTuple):
    """What a pool query returns and leaves behind.

    Attributes:
        images: The images to show the discriminator, like the query.
        pool: The pool's images after the query.
        count: How many slots are filled after the query.
    """

    images: tf.Tensor
    pool: tf.Tensor
    count: tf.Tensor


def query_pool(pool, count, images, coins, picks) -> PoolResult:
    """Applies the pool rule to each image of a batch, in order.

    Args:
        pool: The stored images, shape (size, H, W, C).
        count: Filled slots, an int scalar in [0, size].
        images: The new images, shape (N, H, W, C).
        coins: U[0, 1) draws, shape (N,); image i is swapped with a stored
            one when the pool is full and ``coins[i] < 0.5``.
        picks: U[0, 1) draws, shape (N,); a swap uses slot
            ``floor(picks[i] * size)``.

    Returns:
        The images to return, the new pool and the new count.
    """
    size = tf.shape(pool, out_type=tf.int64)[0]
    images = tf.cast(images, pool.dtype)
    slots = tf.minimum(
        tf.cast(tf.floor(picks * tf.cast(size, picks.dtype)), tf.int64),
        size - 1,
    )

    def step(i, pool, count, returned):
        image = images[i]
        filling = count < size
        swap = tf.logical_and(
            tf.logical_not(filling), coins[i] < SWAP_PROBABILITY
        )
        slot = tf.where(filling, count, slots[i])
        stored = pool[slot]
        # A kept image is written back unchanged, so every branch is one
        # scatter and the loop has no control flow that XLA dislikes.
        keep = tf.logical_not(tf.logical_or(filling, swap))
        pool = tf.tensor_scatter_nd_update(
            pool, [[slot]], [tf.where(keep, stored, image)]
        )
        returned = returned.write(i, tf.where(swap, stored, image))
        return i + 1, pool, count + tf.cast(filling, count.dtype), returned

    n = tf.shape(images)[0]
    returned = tf.TensorArray(pool.dtype, size=n, element_shape=pool.shape[1:])
    _, pool, count, returned = tf.while_loop(
        lambda i, *_: i < n,
        step,
        (tf.constant(0), pool, tf.cast(count, tf.int64), returned),
    )
    return PoolResult(returned.stack(), pool, count)


class ImagePool:
    """The pool's images and count, held as weights of the owning model.

    Args:
        owner: The layer that owns (and saves) the variables.
        size: Images kept; 0 turns the pool off (queries return the new
            images).
        image_shape: (H, W, C) of the images.
        name: Prefix of the variables' names in saved files.
    """

    def __init__(
        self,
        owner: keras.layers.Layer,
        size: int,
        image_shape: tuple[int, int, int],
        *,
        name: str,
    ):
        self.size = size
        # float32 whatever the policy: the pool is data, not computation.
        self.images = owner.add_weight(
            shape=(size, *image_shape),
            dtype="float32",
            initializer="zeros",
            trainable=False,
            name=f"{name}_images",
        )
        self.count = owner.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name=f"{name}_count",
        )

    def query(self, images, coins, picks) -> tf.Tensor:
        """Runs :func:`query_pool` on the stored state and keeps the result.

        Returns:
            The images to show the discriminator, in the dtype of `images`.
        """
        if self.size == 0:
            return images
        result = query_pool(
            tf.convert_to_tensor(self.images),
            tf.convert_to_tensor(self.count),
            tf.stop_gradient(images),
            coins,
            picks,
        )
        self.images.assign(result.pool)
        self.count.assign(result.count)
        return tf.cast(result.images, images.dtype)
