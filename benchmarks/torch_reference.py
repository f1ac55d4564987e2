"""The same DCGAN training loop in plain PyTorch, as a speed reference.

torch is optional: it is imported inside the functions, so importing this
module never needs it; callers check ``harness.package_version("torch")``
first and skip their PyTorch rows without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import harness
import keras
import numpy as np
from flops import has_activation


def torch_network(model: keras.Model):
    """Builds a torch.nn.Sequential with the layer sizes of a Keras model.

    Channels-last Keras layers map to channels-first torch layers with the
    same kernels, strides, widths and biases; "same" padding with an even
    kernel K and stride 2 becomes padding (K - 2) / 2, which gives the
    same output sizes. Batch norm keeps Keras' epsilon and momentum.

    Args:
        model: A built Functional model of Dense, Conv2D, Conv2DTranspose,
            Reshape, BatchNormalization, ReLU, LeakyReLU and Flatten
            layers, with tanh as the only fused activation.

    Returns:
        The torch network, with the DCGAN paper's N(0, 0.02) weights.

    Raises:
        ValueError: For a layer or padding with no torch equivalent.
    """
    import torch.nn as nn

    modules = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        in_shape = tuple(layer.input.shape[1:])
        if isinstance(layer, keras.layers.Dense):
            modules.append(
                nn.Linear(in_shape[-1], layer.units, bias=layer.use_bias)
            )
        elif isinstance(
            layer, keras.layers.Conv2D | keras.layers.Conv2DTranspose
        ):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
            transposed = isinstance(layer, keras.layers.Conv2DTranspose)
            if transposed:
                pad = kernel - stride
            else:
                # Keras' "same" padding in total; torch pads both sides.
                side, out = in_shape[0], -(-in_shape[0] // stride)
                pad = max((out - 1) * stride + kernel - side, 0)
            if layer.padding != "same" or pad % 2:
                raise ValueError(f"Cannot map {layer.name} to torch.")
            cls = nn.ConvTranspose2d if transposed else nn.Conv2d
            modules.append(
                cls(
                    in_shape[-1],
                    layer.filters,
                    kernel,
                    stride,
                    padding=pad // 2,
                    bias=layer.use_bias,
                )
            )
        elif isinstance(layer, keras.layers.Reshape):
            h, w, c = layer.target_shape
            modules.append(nn.Unflatten(1, (c, h, w)))
        elif isinstance(layer, keras.layers.BatchNormalization):
            modules.append(
                nn.BatchNorm2d(
                    in_shape[-1],
                    eps=layer.epsilon,
                    momentum=1.0 - layer.momentum,
                )
            )
        elif isinstance(layer, keras.layers.ReLU):
            modules.append(nn.ReLU())
        elif isinstance(layer, keras.layers.LeakyReLU):
            modules.append(nn.LeakyReLU(layer.negative_slope))
        elif isinstance(layer, keras.layers.Flatten):
            modules.append(nn.Flatten())
        else:
            raise ValueError(
                f"No torch mapping for {layer.name} ({type(layer).__name__})."
            )
        if has_activation(layer):
            if layer.activation.__name__ != "tanh":
                raise ValueError(f"Cannot map activation of {layer.name}.")
            modules.append(nn.Tanh())
    network = nn.Sequential(*modules)
    for module in network.modules():
        # The DCGAN paper's N(0, 0.02) init, as in the Keras models.
        if isinstance(module, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return network


def torch_runner(
    generator: keras.Model,
    discriminator: keras.Model,
    batches: Sequence[np.ndarray],
    steps: int,
    threads: int,
    *,
    learning_rate: float,
    beta_1: float,
) -> Callable[[], tuple[float, float]]:
    """A plain PyTorch alternating loop on the same networks and batches.

    Args:
        generator: The Keras generator whose layer sizes torch copies; its
            input width is the latent size.
        discriminator: The Keras discriminator whose layer sizes torch
            copies.
        batches: Real NHWC batches, cycled through.
        steps: Timed steps per epoch.
        threads: torch intra-op threads, set at the start of every epoch
            (rows f and f1 share the process and take turns).
        learning_rate: Adam's learning rate, for both players.
        beta_1: Adam's first-moment decay, for both players.

    Returns:
        A function that runs one epoch of ``steps + 1`` steps and returns
        the (wall, CPU) seconds of the last ``steps``.
    """
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    latent_dim = generator.input.shape[-1]
    g_net = torch_network(generator).train()
    d_net = torch_network(discriminator).train()

    def adam(network):
        # Keras' Adam epsilon (1e-7) rather than torch's (1e-8).
        return torch.optim.Adam(
            network.parameters(),
            learning_rate,
            betas=(beta_1, 0.999),
            eps=1e-7,
        )

    g_opt, d_opt = adam(g_net), adam(d_net)
    # NCHW copies made once: the row times the training loop, not a loader.
    real_batches = [
        torch.from_numpy(np.ascontiguousarray(b.transpose(0, 3, 1, 2)))
        for b in batches
    ]
    n = real_batches[0].shape[0]
    labels = torch.cat([torch.ones(n, 1), torch.zeros(n, 1)])
    ones = torch.ones(n, 1)
    totals = {"d_loss": torch.zeros(()), "g_loss": torch.zeros(())}

    def step(real):
        with torch.no_grad():
            fake = g_net(torch.randn(n, latent_dim))
        logits = d_net(torch.cat([real, fake]))
        d_loss = F.binary_cross_entropy_with_logits(logits, labels)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()

        # D's weight grads are not needed for the G update; TF prunes them,
        # so torch skips them too.
        d_net.requires_grad_(False)
        fake = g_net(torch.randn(n, latent_dim))
        g_loss = F.binary_cross_entropy_with_logits(d_net(fake), ones)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        d_net.requires_grad_(True)
        totals["d_loss"] += d_loss.detach()
        totals["g_loss"] += g_loss.detach()

    def run_epoch() -> tuple[float, float]:
        torch.set_num_threads(threads)
        step(real_batches[0])
        watch = harness.Stopwatch()
        watch.start()
        for i in range(1, steps + 1):
            step(real_batches[i % len(real_batches)])
        float(totals["d_loss"])  # The epoch's metrics read-back.
        return watch.stop()

    return run_epoch
