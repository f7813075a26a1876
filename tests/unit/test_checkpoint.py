import json
import os
import zipfile

import numpy as np
import pytest

from scratchnlp.checkpoint import CheckpointError, load_params, read_checkpoint, save_params
from scratchnlp.models import TwoLayerNet


def fresh(seed=0, hidden=10):
    return TwoLayerNet(2, hidden, 3, seed=seed, weight_init_std=1.0)


def test_round_trip_is_bit_exact(tmp_path):
    src, dst = fresh(0), fresh(1)
    path = save_params(tmp_path / "net.npz", src, metadata={"note": "spiral"})
    header = load_params(path, dst)
    for a, b in zip(src.params, dst.params):
        assert a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()
    assert header["metadata"] == {"note": "spiral"}
    assert [e["name"] for e in header["params"]] == ["W1", "b1", "W2", "b2"]
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_no_pickle_inside(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh())
    with np.load(path, allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


def test_float16_storage_loads_back_as_float32(tmp_path):
    src, dst = fresh(0), fresh(1)
    path = save_params(tmp_path / "half.npz", src, dtype=np.float16)
    header, arrays = read_checkpoint(path)
    assert all(a.dtype == np.float16 for a in arrays)
    load_params(path, dst)
    assert dst.params[0].dtype == np.float32
    np.testing.assert_allclose(dst.params[0], src.params[0], rtol=1e-3)


def test_tied_weights_saved_once_and_restored(tmp_path):
    W = np.arange(6, dtype=np.float32).reshape(2, 3)
    path = save_params(tmp_path / "tied.npz", [W, W.T, np.ones(3, np.float32)])
    header, arrays = read_checkpoint(path)
    assert len(arrays) == 2
    assert header["tied"] == [{"name": "params[1]", "same_as": "params[0]", "transposed": True}]
    W2 = np.zeros((2, 3), np.float32)
    b2 = np.zeros(3, np.float32)
    load_params(path, [W2, W2.T, b2])
    np.testing.assert_array_equal(W2, W)


def _assert_untouched(model, snapshot):
    for p, s in zip(model.params, snapshot):
        np.testing.assert_array_equal(p, s)


def test_truncated_file_is_a_clear_error_and_model_untouched(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    model = fresh(1)
    snapshot = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_corrupted_array_detected_by_checksum(tmp_path):
    src = fresh(0)
    path = save_params(tmp_path / "net.npz", src)
    # rewrite one array with different values but keep the original header
    with np.load(path, allow_pickle=False) as npz:
        members = {k: npz[k] for k in npz.files}
    members["p2"] = members["p2"] + 1
    with open(path, "wb") as f:
        np.savez(f, **members)
    model = fresh(1)
    snapshot = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError, match="SHA-256 of 'W2' does not match"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_flipped_bytes_in_the_archive(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0))
    data = bytearray(path.read_bytes())
    data[200:260] = bytes(60)
    path.write_bytes(bytes(data))
    model = fresh(1)
    snapshot = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_shape_mismatch_names_the_parameter(tmp_path):
    path = save_params(tmp_path / "net.npz", fresh(0, hidden=10))
    model = fresh(1, hidden=12)
    snapshot = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError, match=r"'W1' has shape \(2, 10\) but the model's 'W1' has shape \(2, 12\)"):
        load_params(path, model)
    _assert_untouched(model, snapshot)


def test_parameter_count_mismatch(tmp_path):
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
