import errno
import hashlib
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

from scratchnlp import backend
from scratchnlp.checkpoint import CheckpointError, load_params, read_checkpoint, save_params
from scratchnlp.models import TwoLayerNet


def fresh(seed=0, hidden=10):
    """A small model, its weights on the backend's current device (the GPU under the ``xp`` fixture's CuPy)."""
    return TwoLayerNet(2, hidden, 3, seed=seed, weight_init_std=1.0)


def test_round_trip_is_bit_exact(xp, tmp_path):
    src, dst = fresh(0), fresh(1)
    path = save_params(tmp_path / "net.npz", src, metadata={"note": "spiral"})
    header = load_params(path, dst)
    for a, b in zip(src.params, dst.params):
        assert a.dtype == b.dtype
        assert backend.to_cpu(a).tobytes() == backend.to_cpu(b).tobytes()
        assert backend.xp(b) is xp
    assert header["metadata"] == {"note": "spiral"}
    assert [e["name"] for e in header["params"]] == ["W1", "b1", "W2", "b2"]
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_checkpoints_move_between_host_and_device(xp, tmp_path):
    model = fresh(0)  # on xp's device
    path = save_params(tmp_path / "device.npz", model)
    host = [np.zeros(p.shape, p.dtype) for p in model.params]
    load_params(path, host)
    device = [xp.zeros(p.shape, p.dtype) for p in model.params]
    load_params(save_params(tmp_path / "host.npz", host), device)
    for p, h, d in zip(model.params, host, device):
        np.testing.assert_array_equal(h, backend.to_cpu(p))
        np.testing.assert_array_equal(backend.to_cpu(d), h)
        assert backend.xp(d) is xp


def test_no_pickle_inside(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh())
    with np.load(path, allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


def test_float16_storage_loads_back_as_float32(xp, tmp_path):
    src, dst = fresh(0), fresh(1)
    path = save_params(tmp_path / "half.npz", src, dtype=np.float16)
    header, arrays = read_checkpoint(path)
    assert all(a.dtype == np.float16 for a in arrays)
    load_params(path, dst)
    assert dst.params[0].dtype == np.float32
    np.testing.assert_allclose(backend.to_cpu(dst.params[0]), backend.to_cpu(src.params[0]), rtol=1e-3)


def test_tied_weights_saved_once_and_restored(xp, tmp_path):
    W = xp.arange(6, dtype=np.float32).reshape(2, 3)
    path = save_params(tmp_path / "tied.npz", [W, W.T, xp.ones(3, np.float32)])
    header, arrays = read_checkpoint(path)
    assert len(arrays) == 2
    assert header["tied"] == [{"name": "params[1]", "same_as": "params[0]", "transposed": True}]
    W2 = xp.zeros((2, 3), np.float32)
    b2 = xp.zeros(3, np.float32)
    load_params(path, [W2, W2.T, b2])
    np.testing.assert_array_equal(backend.to_cpu(W2), backend.to_cpu(W))


def _assert_untouched(model, snapshot):
    for p, s in zip(model.params, snapshot):
        np.testing.assert_array_equal(backend.to_cpu(p), s)


def test_truncated_file_is_a_clear_error_and_model_untouched(xp, tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    model = fresh(1)
    snapshot = [backend.to_cpu(p) for p in model.params]
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_corrupted_array_detected_by_checksum(xp, tmp_path):
    src = fresh(0)
    path = save_params(tmp_path / "net.npz", src)
    # rewrite one array with different values but keep the original header
    with np.load(path, allow_pickle=False) as npz:
        members = {k: npz[k] for k in npz.files}
    members["p2"] = members["p2"] + 1
    with open(path, "wb") as f:
        np.savez(f, **members)
    model = fresh(1)
    snapshot = [backend.to_cpu(p) for p in model.params]
    with pytest.raises(CheckpointError, match="SHA-256 of 'W2' does not match"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_flipped_bytes_in_the_archive(xp, tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0))
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)
    path.write_bytes(bytes(data))
    model = fresh(1)
    snapshot = [backend.to_cpu(p) for p in model.params]
    with pytest.raises(CheckpointError):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_shape_mismatch_names_the_parameter(xp, tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0, hidden=10))
    model = fresh(1, hidden=12)
    snapshot = [backend.to_cpu(p) for p in model.params]
    with pytest.raises(CheckpointError, match=r"'W1' has shape \(2, 10\) but the model's 'W1' has shape \(2, 12\)"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_parameter_count_mismatch(xp, tmp_path):
    path = save_params(tmp_path / "two.npz", [np.zeros(2, np.float32), np.zeros(3, np.float32)])
    with pytest.raises(CheckpointError, match="holds 2 parameter arrays but the model has 4"):
        load_params(path, fresh())


def test_not_a_checkpoint(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(2))
    with pytest.raises(CheckpointError, match="not a scratchnlp checkpoint"):
        read_checkpoint(plain)
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "missing.npz")


def test_failed_save_leaves_no_partial_file(tmp_path):
    with pytest.raises(ValueError, match="JSON-serialisable"):
        save_params(tmp_path / "net.npz", fresh(), metadata={"bad": object()})
    assert os.listdir(tmp_path) == []


def test_save_over_existing_file_is_atomic(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0))
    save_params(path, fresh(1))
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    header, _ = read_checkpoint(path)
    assert json.dumps(header)
    assert os.listdir(tmp_path) == ["net.npz"]


# ---------------------------------------------------------------------------------------------------------
# names, dtypes and values that a checkpoint refuses
# ---------------------------------------------------------------------------------------------------------


class Named:
    """A minimal model: params with param_names."""

    def __init__(self, names, seed=0):
        rng = np.random.default_rng(seed)
        self.params = [rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)]
        self.param_names = list(names)


def test_name_mismatch_with_equal_shapes_is_refused(tmp_path):
    path = save_params(tmp_path / "m.npz", Named(["W1", "b1"]))
    model = Named(["Wx", "b1"], seed=1)
    snapshot = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError, match=r"stored parameter 0 is 'W1' but the model's parameter 0 is 'Wx'"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_lists_have_no_names_so_only_count_and_shapes_are_compared(tmp_path):
    src = Named(["W1", "b1"])
    from_list = save_params(tmp_path / "list.npz", [p.copy() for p in src.params])
    dst = Named(["Wx", "bx"], seed=1)
    load_params(from_list, dst)
    np.testing.assert_array_equal(dst.params[0], src.params[0])
    from_model = save_params(tmp_path / "model.npz", src)
    arrays = [np.zeros((2, 3), np.float32), np.zeros(3, np.float32)]
    load_params(from_model, arrays)
    np.testing.assert_array_equal(arrays[1], src.params[1])


def test_tied_structure_mismatch_is_refused(xp, tmp_path):
    W = xp.arange(9, dtype=np.float32).reshape(3, 3)
    path = save_params(tmp_path / "tied.npz", [W, W.T, xp.ones(3, np.float32)])
    A = xp.zeros((3, 3), np.float32)
    with pytest.raises(CheckpointError, match="tied"):
        load_params(path, [A, A, xp.zeros(3, np.float32)])  # tied, but not transposed
    assert not A.any()


@pytest.mark.parametrize(
    "bad",
    [np.array([1, "a"], dtype=object), np.array(["a", "b"]), np.array([b"x"]), np.zeros(2, dtype="M8[s]")],
    ids=["object", "str", "bytes", "datetime"],
)
def test_non_numeric_arrays_are_refused(tmp_path, bad):
    with pytest.raises(ValueError, match=r"'params\[1\]' has dtype .*numeric arrays only"):
        save_params(tmp_path / "x.npz", [np.zeros(2, np.float32), bad])
    assert os.listdir(tmp_path) == []


def test_non_array_param_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"parameter 'params\[0\]' must be a NumPy or CuPy array, got list"):
        save_params(tmp_path / "x.npz", [[1.0, 2.0]])


def test_float16_overflow_is_refused_naming_the_parameter(tmp_path):
    model = Named(["W1", "b1"])
    model.params[0][0, 0] = 1e5
    with pytest.raises(ValueError, match=r"'W1' has values up to 100000 .*float16.*Save in float32"):
        save_params(tmp_path / "half.npz", model, dtype=np.float16)
    assert os.listdir(tmp_path) == []
    model.params[0][0, 0] = 65504.0  # the largest float16 is fine
    _, arrays = read_checkpoint(save_params(tmp_path / "half.npz", model, dtype=np.float16))
    assert np.isfinite(arrays[0]).all()


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nonfinite_params_are_refused_unless_allowed(tmp_path, value):
    model = Named(["W1", "b1"])
    model.params[1][2] = value
    with pytest.raises(ValueError, match=r"'b1' holds 1 NaN/inf value\(s\) out of 3.*allow_nonfinite=True"):
        save_params(tmp_path / "x.npz", model)
    assert os.listdir(tmp_path) == []
    path = save_params(tmp_path / "x.npz", model, allow_nonfinite=True, dtype=np.float16)
    dst = Named(["W1", "b1"], seed=1)
    load_params(path, dst)
    np.testing.assert_array_equal(dst.params[1][2], np.float32(value))


@pytest.mark.parametrize("dtype", [np.int8, "object", "nonsense"])
def test_storage_dtype_must_be_float(tmp_path, dtype):
    with pytest.raises(ValueError, match="dtype must be a float dtype"):
        save_params(tmp_path / "x.npz", Named(["W", "b"]), dtype=dtype)


# ---------------------------------------------------------------------------------------------------------
# writing: folders, disk full, SIGTERM
# ---------------------------------------------------------------------------------------------------------


def test_save_onto_a_folder_is_refused(tmp_path):
    (tmp_path / "net.npz").mkdir()
    with pytest.raises(IsADirectoryError, match=r"net\.npz: it is a folder"):
        save_params(tmp_path / "net.npz", fresh())
    assert os.listdir(tmp_path) == ["net.npz"]


def test_save_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"folder .*nope does not exist"):
        save_params(tmp_path / "nope" / "net.npz", fresh())


def test_disk_full_names_the_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    from scratchnlp import _io

    path = save_params(tmp_path / "net.npz", fresh(0))
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.os, "fsync", full)
    with pytest.raises(OSError, match=r"cannot write .*net\.npz: No space left on device") as info:
        save_params(path, fresh(1))
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.npz"]


def test_sigterm_during_save_leaves_the_old_checkpoint_and_no_temp_file(tmp_path):
    path = save_params(tmp_path / "net.npz", [np.zeros(3, np.float32)])
    before = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import time
        import numpy as np
        import scratchnlp.checkpoint as ck

        class SlowNumpy:  # np.savez that stalls half-way through the write
            def __getattr__(self, name):
                return getattr(np, name)

            def savez(self, f, **arrays):
                f.write(b"PK partial")
                f.flush()
                print("ready", flush=True)
                time.sleep(60)

        ck.np = SlowNumpy()
        ck.save_params({str(path)!r}, [np.ones(3, np.float32)])
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        assert any(f.endswith(".tmp") for f in os.listdir(tmp_path))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0 and b"Terminated" in err
    assert os.listdir(tmp_path) == ["net.npz"]
    assert path.read_bytes() == before
    read_checkpoint(path)


# ---------------------------------------------------------------------------------------------------------
# reading: nothing in the file is trusted
# ---------------------------------------------------------------------------------------------------------


def _npy_bytes(a, shape=None):
    buf = io.BytesIO()
    header = np.lib.format.header_data_from_array_1_0(a)
    if shape is not None:
        header["shape"] = shape
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(np.ascontiguousarray(a).tobytes())
    return buf.getvalue()


def write_archive(path, header, members=None):
    """An .npz with a raw JSON header (any object, or a string used as is) and raw .npy members."""
    text = header if isinstance(header, str) else json.dumps(header)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("__header__.npy", _npy_bytes(np.array(text)))
        for name, data in (members or {}).items():
            z.writestr(name, data)
    return path


def good_header(a):
    return {
        "format": "scratchnlp-params",
        "format_version": 1,
        "params": [{"key": "p0", "name": "W", "shape": list(a.shape), "dtype": str(a.dtype),
                    "sha256": hashlib.sha256(a.tobytes()).hexdigest()}],
        "tied": [],
        "metadata": {},
    }


def test_hand_made_archive_is_readable(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    path = write_archive(tmp_path / "ok.npz", good_header(a), {"p0.npy": _npy_bytes(a)})
    header, arrays = read_checkpoint(path)
    np.testing.assert_array_equal(arrays[0], a)
    arrays[0][0, 0] = 5  # a writable array


def test_enormous_declared_shape_is_refused_before_allocating(tmp_path):
    a = np.arange(6, dtype=np.float32)
    header = good_header(a)
    header["params"][0]["shape"] = [10**7, 10**7]
    path = write_archive(tmp_path / "huge.npz", header, {"p0.npy": _npy_bytes(a, shape=(10**7, 10**7))})
    declared = r"declares shape \(10000000, 10000000\) of float32 .* but holds 24 bytes"
    with pytest.raises(CheckpointError, match=declared):
        read_checkpoint(path)


def test_member_claiming_more_bytes_than_the_file_is_refused(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh())
    data = bytearray(path.read_bytes())
    # the central directory entry of p0.npy: bump its uncompressed size field to 2**31
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"p1.npy", data.find(b"PK\x01\x02")))
    data[central + 24 : central + 28] = (2**31).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError):
        read_checkpoint(path)


A = np.arange(6, dtype=np.float32)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h: h.update(format_version="1"), r"format_version must be a positive integer, got the string '1'"),
        (lambda h: h.update(format_version=True), "format_version must be a positive integer"),
        (lambda h: h.update(params={}), r"'params' must be a list of parameter entries, got an object"),
        (lambda h: h.pop("params"), r"'params' must be a list of parameter entries, got null"),
        (lambda h: h["params"][0].pop("shape"), r"params\[0\] \('W'\) needs a 'shape' list"),
        (lambda h: h["params"][0].update(shape=[-1]), r"needs a 'shape' list of non-negative integers"),
        (lambda h: h["params"][0].update(dtype="object"), r"has dtype 'object'; expected a numeric dtype"),
        (lambda h: h["params"][0].update(dtype="bogus"), r"has dtype 'bogus'"),
        (lambda h: h["params"][0].update(key="p9"), r"names array 'p9', which the archive does not hold"),
        (lambda h: h["params"][0].pop("name"), r"needs a string 'name'"),
        (lambda h: h.update(params=[3]), r"params\[0\] must be an object, got 3"),
        (lambda h: h.update(metadata="x"), r"'metadata' must be an object, got the string 'x'"),
        (lambda h: h.update(tied={}), r"'tied' must be a list"),
        (lambda h: h["params"][0].update(sha256="abc"), "malformed sha256"),
    ],
)
def test_malformed_header_is_one_clear_error(tmp_path, edit, message):
    header = good_header(A)
    edit(header)
    path = write_archive(tmp_path / "bad.npz", header, {"p0.npy": _npy_bytes(A)})
    with pytest.raises(CheckpointError, match=message) as info:
        read_checkpoint(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("[1, 2]", "expected a JSON object, got a list"),
        ('"text"', "expected a JSON object, got the string 'text'"),
        ("{not json", "header is not valid JSON"),
        ('{"format": "other"}', r"not a scratchnlp checkpoint: its header's format is 'other'"),
        ('{"format": "scratchnlp-params", "format_version": 99}', "format version 99.*upgrade scratchnlp"),
    ],
)
def test_header_that_is_not_an_object(tmp_path, header, message):
    path = write_archive(tmp_path / "bad.npz", header, {"p0.npy": _npy_bytes(A)})
    with pytest.raises(CheckpointError, match=message):
        read_checkpoint(path)


def test_object_member_is_never_unpickled(tmp_path):
    obj = np.array([1, "a"], dtype=object)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, obj, allow_pickle=True)
    header = good_header(A)
    path = write_archive(tmp_path / "pickled.npz", header, {"p0.npy": buf.getvalue()})
    with pytest.raises(CheckpointError, match="holds Python objects"):
        read_checkpoint(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, I am text\n", "is not a scratchnlp checkpoint: it is a text file"),
        (b"", "the file is empty"),
        (pickle.dumps([1, 2]), "it is a pickle"),
        (b"\x93NUMPY\x01\x00", r"a single \.npy array"),
        (bytes(range(256)), r"not an \.npz \(zip\) archive"),
    ],
)
def test_files_that_are_not_archives(tmp_path, content, message):
    path = tmp_path / "x.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as info:
        read_checkpoint(path)
    assert "allow_pickle" not in str(info.value)


def test_a_folder_is_not_a_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="is a folder"):
        read_checkpoint(tmp_path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_not_a_regular_file():
    with pytest.raises(CheckpointError, match="/dev/zero is not a regular file"):
        read_checkpoint("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(CheckpointError, match="is not a regular file"):
        read_checkpoint(fifo)


def test_json_is_strict_both_ways(tmp_path):
    """NaN and Infinity are not JSON: save_params refuses to write them, read_checkpoint refuses to read them."""
    with pytest.raises(ValueError, match="without NaN or infinity"):
        save_params(tmp_path / "net.npz", fresh(), metadata={"best_ppl": float("nan")})
    assert os.listdir(tmp_path) == []
    a = np.zeros(3, dtype=np.float32)
    for constant in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps({**good_header(a), "metadata": {"ppl": 0.5}}).replace("0.5", constant)
        path = write_archive(tmp_path / f"{constant}.npz", text, {"p0.npy": _npy_bytes(a)})
        with pytest.raises(CheckpointError, match=f"not valid JSON.*{constant} is not a JSON value"):
            read_checkpoint(path)


@pytest.mark.parametrize("bad", [None, 3, ["a.npz"]])
def test_a_path_that_is_not_a_path_is_one_clear_error(bad):
    from scratchnlp.checkpoint import assign_params, load_book_params

    for call, what in ((lambda: save_params(bad, [np.ones(2)]), "save_params path"),
                       (lambda: read_checkpoint(bad), "checkpoint path"),
                       (lambda: load_params(bad, [np.ones(2)]), "checkpoint path"),
                       (lambda: load_book_params(bad), "load_book_params path")):
        with pytest.raises(TypeError, match=f"{what} must be a file path \\(str or os.PathLike\\), got "
                                            f"{type(bad).__name__}"):
            call()
    with pytest.raises(TypeError, match="arrays must be a list of arrays in the model's params order, got"):
        assign_params([np.ones(2)], None if bad is None else np.ones(2))
