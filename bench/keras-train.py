"""Training speed of the paper CNN in Keras, for `npm run bench:train`.

The same net as ferkit's `paper` architecture (4 conv 32-64-128-128, 3
max-pool, 3 dropout, dense 1024, softmax), the same optimizer (Adam, learning
rate 1e-4), batch size and number of random 48x48 images. Prints one JSON line:
images/second of each epoch (the first one includes graph tracing).

  python bench/keras-train.py --images 3200 --epochs 4 --batch-size 32
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--images", type=int, default=3200)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--batch-size", type=int, default=32)
args = parser.parse_args()

L = tf.keras.layers
model = tf.keras.Sequential(
    [
        L.Input((48, 48, 1)),
        L.Conv2D(32, 3, activation="relu"),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Dropout(0.25),
        L.Conv2D(128, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Conv2D(128, 3, activation="relu"),
        L.MaxPooling2D(2),
        L.Dropout(0.25),
        L.Flatten(),
        L.Dense(1024, activation="relu"),
        L.Dropout(0.5),
        L.Dense(7, activation="softmax"),
    ]
)
model.compile(optimizer=tf.keras.optimizers.Adam(1e-4), loss="categorical_crossentropy", metrics=["accuracy"])

rng = np.random.default_rng(1)
x = rng.random((args.images, 48, 48, 1), dtype=np.float32)
y = np.eye(7, dtype=np.float32)[rng.integers(0, 7, args.images)]


class Timer(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.speeds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.speeds.append(args.images / (time.perf_counter() - self.t0))


timer = Timer()
model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0, callbacks=[timer])
print(
    json.dumps(
        {
            "tensorflow": tf.__version__,
            "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else None,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
            "imagesPerSecond": timer.speeds,
        }
    )
)
