"""Input pipelines: each source becomes a batched ``tf.data.Dataset``.

What each source yields:

* ``from_arrays(images, labels=None)`` (``arrays.py``): in-memory image
  arrays as float32 image batches in [-1, 1].
* ``digits()`` (``sklearn_digits.py``): the 1,797 8x8 digits bundled with
  scikit-learn, offline, as float32 image batches in [-1, 1].
* ``from_folder(path)`` (``folders.py``): the image files of a folder, as
  float32 image batches in [-1, 1].
* ``from_tfds(name)``, ``cycle_gan_pair(name)`` (``tfds.py``): TensorFlow
  Datasets (MNIST, Fashion-MNIST, CIFAR-10, CelebA, CycleGAN domains) as
  float32 image batches in [-1, 1]; ``cycle_gan_pair`` returns two.
* ``stacked_digits(n)`` (``stacked.py``): three bundled digits stacked as
  the channels of one image, the 1,000-mode benchmark of VEEGAN and
  PacGAN, as float32 (batch, 28, 28, 3) batches in [-1, 1].
* ``ring(n)``, ``grid(n)`` (``mixtures.py``): 2-D points, not images:
  ``(points, centers)`` NumPy arrays, which ``mixture_dataset(points)``
  batches into float32 batches of shape (batch_size, 2), unscaled.
* ``digits_pair(mapping)``, ``load_pair(name)`` and the other sources of
  ``unpaired.py``: two domains for CycleGAN, as zipped ``(x, y)``
  batches; the digits pair has a known true mapping for evaluation.
* ``load(name_or_path)`` (``registry.py``): any of the above by name, or a
  folder by path.

All image sources go through the same steps (``_pipeline.py``), in this
order:

1. Scale to [-1, 1]. uint8 images are read as [0, 255]; any other dtype must
   declare its range with ``value_range=(low, high)`` (for example ``(0, 1)``
   or ``(-1, 1)``), because guessing the range of a float array is how a
   pipeline silently trains on images in [-1, -0.99].
2. Crop (only CelebA: a centered 140x140 face crop).
3. Convert channels: grayscale is repeated to RGB; RGB becomes grayscale with
   the ITU-R BT.601 luma weights (0.299, 0.587, 0.114), which sum to exactly 1
   so that -1 and 1 stay -1 and 1.
4. Resize to ``image_size`` with antialiased bilinear interpolation, so that
   images of mixed sizes (folders, CycleGAN) come out the same size.
5. Cache the preprocessed examples in memory when they take at most
   ``CACHE_LIMIT_BYTES`` (2 GiB) as float32 (MNIST: 188 MB, CIFAR-10 at
   32x32: 629 MB); larger sources (CelebA at 64x64: 8 GB) are streamed.
6. Shuffle with ``seed`` (the whole dataset when it is cached, else a 10,000
   example buffer), batch with ``drop_remainder=True`` so every batch has
   ``batch_size`` examples, and prefetch with ``tf.data.AUTOTUNE``.

The 2-D points of ``mixture_dataset`` take only steps 5 and 6.

The shuffle order is reshuffled every epoch; it is a function of ``seed`` and
of TensorFlow's global seed (``keras.utils.set_random_seed``), so a program
that sets both sees the same batches on every run.

With ``with_labels=True`` (or ``labels=`` for arrays) elements are
``(images, labels)`` pairs, which ``GAN.fit`` accepts and ignores, and a
conditional model can use.

Examples:
    >>> import tfgan_lite
    >>> ds = tfgan_lite.data.digits(image_size=(28, 28), batch_size=64)
    >>> batch = next(iter(ds))  # float32, in [-1, 1]
    >>> batch.shape
    TensorShape([64, 28, 28, 1])
"""

from tfgan_lite.data._pipeline import CACHE_LIMIT_BYTES
from tfgan_lite.data.arrays import from_arrays
from tfgan_lite.data.folders import from_folder
from tfgan_lite.data.mixtures import grid
from tfgan_lite.data.mixtures import mixture_dataset
from tfgan_lite.data.mixtures import ring
from tfgan_lite.data.registry import load
from tfgan_lite.data.sklearn_digits import digits
from tfgan_lite.data.stacked import stacked_digits
from tfgan_lite.data.stacked import stacked_digits_arrays
from tfgan_lite.data.tfds import CYCLE_GAN_PAIRS
from tfgan_lite.data.tfds import SUPPORTED_TFDS
from tfgan_lite.data.tfds import cycle_gan_pair
from tfgan_lite.data.tfds import from_tfds
from tfgan_lite.data import unpaired
from tfgan_lite.data.unpaired import digits_pair
from tfgan_lite.data.unpaired import load_pair

__all__ = [
    "CACHE_LIMIT_BYTES",
    "CYCLE_GAN_PAIRS",
    "SUPPORTED_TFDS",
    "cycle_gan_pair",
    "digits",
    "digits_pair",
    "from_arrays",
    "from_folder",
    "from_tfds",
    "grid",
    "load",
    "load_pair",
    "mixture_dataset",
    "ring",
    "stacked_digits",
    "stacked_digits_arrays",
    "unpaired",
]
