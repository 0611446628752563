"""Speed measurements of minidl against its NumPy reference and against TensorFlow/Keras.

Not part of the test suite (the root pytest config collects ``tests`` only):

* ``python -m pytest benchmarks --benchmark-only`` times each kernel at the
  report's shapes in three versions, grouped: minidl Numba, minidl NumPy
  reference, and the matching TensorFlow op (``test_kernels.py``);
* ``python -m benchmarks.epochs`` times whole training epochs, minidl
  against Keras, and writes a JSON and a Markdown table;
* ``python -m benchmarks.coldstart`` times ``import minidl`` plus the first
  training step with a cold and with a warm Numba cache.
"""
