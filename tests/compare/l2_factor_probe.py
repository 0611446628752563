"""Run as a script (float64 needs a process of its own): why float64 losses differ at ~1e-9.

Keras's L2 regularizer computes ``ops.cast(self.l2, x.dtype) * sum(x²)``; with
the TensorFlow backend ``tf.cast`` first turns the Python float into a float32
tensor, so even in float64 the factor 1e-4 becomes 9.99999974737875e-05.
This trains one epoch of a spec twice: as is, and with minidl's L2 factors
rounded to float32 the same way (``compare.build.round_l2_like_keras``).
Prints JSON with both divergences.

Usage: python l2_factor_probe.py SETUP [N_TRAIN]
"""
from __future__ import annotations

import json
import sys


def one_epoch(spec, data, round_l2: bool) -> dict:
    from compare import build, divergence
    md, km = build.build_pair(spec, round_l2=round_l2)
    x, y = data.x_train, data.y_train
    hm = md.fit(x, y, batch_size=spec.batch_size, epochs=1, shuffle=False, verbose=0).history
    hk = km.fit(x, y, batch_size=spec.batch_size, epochs=1, shuffle=False, verbose=0).history
    w_rel, _ = divergence.weight_difference(md.get_weights(), km.get_weights())
    return {"loss_rel_diff": divergence.relative(hm["loss"][0], hk["loss"][0]), "weights_rel_diff": w_rel}


def main() -> None:
    from compare import build, data as data_module, specs
    name = sys.argv[1]
    n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    build.set_precision("float64")
    spec = specs.get_spec(name)
    data = data_module.load(spec, "float64", synthetic=True, train_size=n_train, test_size=10)
    print(json.dumps({"keras_l2_factor": float(build.import_keras().ops.cast(1e-4, "float64")),
                      "as_is": one_epoch(spec, data, False),
                      "minidl_l2_rounded_to_float32": one_epoch(spec, data, True)}))


if __name__ == "__main__":
    main()
