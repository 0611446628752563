"""AlexNet-like and VGG16-like networks for 32×32×3 images (exercise 10).

Layer configurations found to give exactly the report's parameter tables
(100 classes): all convolutions ReLU, 'same' padding, 2×2 max pooling.

VGG-like, 6,151,892 parameters::

    Conv 64 3×3 (1,792) → Conv 64 3×3 (36,928) → MaxPool → 16×16
    Conv 128 3×3 (73,856) → MaxPool → 8×8
    Conv 256 3×3 (295,168) → Conv 256 3×3 (590,080) → MaxPool → 4×4
    Conv 512 3×3 (1,180,160) → MaxPool → 2×2
    Conv 512 3×3 (2,359,808) → MaxPool → 1×1 → Flatten (512)
    Dense 1000 relu L2(0.001) (513,000) → Dense 1000 relu L2(0.001) (1,001,000)
    → Dense classes linear L2(0.001) (100,100)

AlexNet-like, 4,334,824 parameters, 1,536 non-trainable (BatchNorm's moving
mean and variance of 768 features)::

    Conv 96 11×11 stride 2 (34,944) → 16×16 → MaxPool → 8×8
    Conv 256 5×5 (614,656) → MaxPool → 4×4
    Conv 256 3×3 (590,080) → Conv 192 3×3 (442,560) → MaxPool → 2×2
    Flatten (768) → BatchNorm (3,072) → Dense 2048 relu (1,574,912)
    → Dense 500 relu (1,024,500) → Dropout 0.4 → Dense classes linear (50,100)

Both end in logits: Adam lr 0.001, categorical cross-entropy from logits,
categorical accuracy.
"""
from __future__ import annotations

import keras

LR = 0.001
ARCHS = ("alexnet", "vgg")


def _conv(filters: int, kernel: int, strides: int = 1) -> keras.layers.Layer:
    return keras.layers.Conv2D(filters, kernel, strides=strides, padding="same", activation="relu")


def build_vgg(num_classes: int = 100, lr: float = LR) -> keras.Model:
    """VGG16-like network reduced for 32×32 inputs (6,151,892 params for 100 classes)."""
    reg = lambda: keras.regularizers.L2(0.001)  # noqa: E731
    pool = keras.layers.MaxPooling2D
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        _conv(64, 3), _conv(64, 3), pool(2),
        _conv(128, 3), pool(2),
        _conv(256, 3), _conv(256, 3), pool(2),
        _conv(512, 3), pool(2),
        _conv(512, 3), pool(2),
        keras.layers.Flatten(),
        keras.layers.Dense(1000, "relu", kernel_regularizer=reg()),
        keras.layers.Dense(1000, "relu", kernel_regularizer=reg()),
        keras.layers.Dense(num_classes, kernel_regularizer=reg()),
    ], name="vgg_like")
    return _compile(model, lr)


def build_alexnet(num_classes: int = 100, lr: float = LR) -> keras.Model:
    """AlexNet-like network with BatchNorm (4,334,824 params, 1,536 non-trainable, 100 classes)."""
    pool = keras.layers.MaxPooling2D
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        _conv(96, 11, strides=2), pool(2),
        _conv(256, 5), pool(2),
        _conv(256, 3), _conv(192, 3), pool(2),
        keras.layers.Flatten(),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(2048, "relu"),
        keras.layers.Dense(500, "relu"),
        keras.layers.Dropout(0.4),
        keras.layers.Dense(num_classes),
    ], name="alexnet_like")
    return _compile(model, lr)


def build(arch: str, num_classes: int = 100, lr: float = LR) -> keras.Model:
    """``build_alexnet`` or ``build_vgg`` by name."""
    if arch not in ARCHS:
        raise ValueError(f"unknown architecture {arch!r}; choose from {ARCHS}")
    return (build_alexnet if arch == "alexnet" else build_vgg)(num_classes, lr)


def _compile(model: keras.Model, lr: float) -> keras.Model:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    return model


def augmentation(seed: int = 0) -> keras.Sequential:
    """Random rotations, shifts, shear and horizontal flips (training only)."""
    return keras.Sequential([
        keras.layers.RandomRotation(0.05, seed=seed),
        keras.layers.RandomTranslation(0.1, 0.1, seed=seed + 1),
        keras.layers.RandomShear(0.1, 0.1, seed=seed + 2),
        keras.layers.RandomFlip("horizontal", seed=seed + 3),
    ], name="augmentation")
