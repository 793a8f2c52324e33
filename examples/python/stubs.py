"""Generates the Python stubs of the stakazo-ml contract (proto/) into a directory and makes them importable.

Uses grpc_tools (Debian: python3-grpc-tools; pip: grpcio-tools). Run it alone to generate into a directory of your
choice: python3 stubs.py OUT_DIR
"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTO_FILES = ["common", "embedding", "metrics", "experiment", "learning"]


def generate(out_dir):
    """Runs protoc (from grpc_tools) on our protos; returns out_dir."""
    from grpc_tools import protoc
    import grpc_tools

    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{well_known}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"]
    args += [os.path.join(PROTO_ROOT, "stakazo", "ml", "v1", f"{name}.proto") for name in PROTO_FILES]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on " + PROTO_ROOT)
    return out_dir


def load(out_dir=None):
    """Generates the stubs (into a temporary directory unless out_dir is given) and puts them on sys.path."""
    out_dir = generate(out_dir or tempfile.mkdtemp(prefix="stakazo-stubs-"))
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    return out_dir


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 stubs.py OUT_DIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    print("generated into", generate(sys.argv[1]))
