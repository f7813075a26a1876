"""checkpoint.load_book_params: the book's pickled weights read through a restricted unpickler.

Hostile pickles are made here, never loaded with pickle; each must be refused before it runs anything.
"""

from __future__ import annotations

import builtins
import collections
import os
import pickle
import re
import subprocess

import numpy as np
import pytest

from scratchnlp.checkpoint import CheckpointError, load_book_params, read_checkpoint, save_params
from scratchnlp.datasets import DatasetUnavailableError, fetch, load_book_weights


def write(path, obj, protocol=3):
    path.write_bytes(pickle.dumps(obj, protocol=protocol))
    return path


def book_params(rng, shapes=((5, 3), (3, 8), (8,))):
    return [rng.standard_normal(s).astype(np.float16) for s in shapes]


# ---------------------------------------------------------------------------------------------------------
# what the book's files hold
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [3, 4])
def test_pickled_list_of_float_arrays_round_trips(tmp_path, rng, protocol):
    fortran = np.asfortranarray(rng.standard_normal((4, 3)))
    params = [*book_params(rng), np.float32([[1.5, -2]]), np.array(3.0), fortran, np.zeros((0, 3), np.float32)]
    arrays = load_book_params(write(tmp_path / "w.pkl", params, protocol))
    assert len(arrays) == len(params)
    for a, p in zip(arrays, params):
        assert a.dtype == p.dtype and a.shape == p.shape
        np.testing.assert_array_equal(a, p)
        assert a.flags.writeable and a.flags.c_contiguous


@pytest.mark.parametrize(("protocol", "refused"), [(2, "_codecs.encode"), (5, "numpy._core.numeric._frombuffer")])
def test_other_pickle_protocols_are_refused_by_name(tmp_path, protocol, refused):
    # the book's files are protocol 3; NumPy pickles arrays through other globals in protocols 0-2 and 5
    path = write(tmp_path / "w.pkl", [np.zeros(2, np.float32)], protocol)
    with pytest.raises(CheckpointError, match=f"references the global {re.escape(refused)}"):
        load_book_params(path)


def test_big_endian_arrays_keep_their_values(tmp_path):
    p = np.arange(6, dtype=">f4").reshape(2, 3)
    (a,) = load_book_params(write(tmp_path / "w.pkl", [p]))
    assert a.dtype == np.dtype(">f4")
    np.testing.assert_array_equal(a, p)


def test_same_array_twice_in_the_list(tmp_path):
    W = np.ones((2, 3), np.float16)
    a, b = load_book_params(write(tmp_path / "w.pkl", [W, W]))
    np.testing.assert_array_equal(a, b)


def _mirror_file(name):
    try:
        return fetch("book-weights", name, progress=False)
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"the book's weights are required (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"book weights unavailable (set SCRATCHNLP_MIRROR): {exc}")


@pytest.mark.parametrize(
    ("name", "shapes"),
    [
        ("Rnnlm", [(10000, 100), (100, 400), (100, 400), (400,), (100, 10000), (10000,)]),
        ("AttentionSeq2seq", [(59, 16), (16, 1024), (256, 1024), (1024,), (59, 16), (16, 1024), (256, 1024),
                              (1024,), (512, 59), (59,)]),
    ],
)
def test_the_books_published_files(name, shapes, monkeypatch, tmp_path):
    path = _mirror_file(f"{name}.pkl")  # SHA-256 verified by fetch
    arrays = load_book_params(path)
    assert [a.shape for a in arrays] == shapes
    assert all(a.dtype == np.float16 and np.isfinite(a).all() for a in arrays)
    with open(path, "rb") as f:
        trusted = pickle.load(f)  # only as the oracle, on the checksum-verified file
    for a, t in zip(arrays, trusted):
        np.testing.assert_array_equal(a, t)
    monkeypatch.setenv("SCRATCHNLP_DATA", str(tmp_path / "cache"))
    assert [a.shape for a in load_book_weights(name)] == shapes


def test_load_book_weights_unknown_name():
    with pytest.raises(ValueError, match="unknown book weights 'Lstm'"):
        load_book_weights("Lstm")


# ---------------------------------------------------------------------------------------------------------
# hostile pickles: refused before anything runs
# ---------------------------------------------------------------------------------------------------------


class Payload:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


class Thing:
    pass


@pytest.mark.parametrize(
    ("make", "refused"),
    [
        (lambda m: Payload(os.system, f"touch {m}"), r"(posix|os|nt)\.system"),
        (lambda m: Payload(builtins.eval, f"open({str(m)!r}, 'w')"), r"builtins\.eval"),
        (lambda m: Payload(subprocess.Popen, ["touch", str(m)]), r"subprocess\.Popen"),
        (lambda m: Payload(builtins.exec, f"open({str(m)!r}, 'w')"), r"builtins\.exec"),
        (lambda m: [np.zeros(2, np.float16), Payload(os.system, f"touch {m}")], r"(posix|os|nt)\.system"),
        (lambda m: [np.zeros(2, np.float16), [Thing()]], r"test_book_weights\.Thing"),
        (lambda m: [collections.OrderedDict(W=np.zeros(2))], r"collections\.OrderedDict"),
        (lambda m: [np.float16(1.0)], r"numpy\._?core\.multiarray\.scalar"),
    ],
)
@pytest.mark.parametrize("protocol", [0, 2, 3, 4, 5])
def test_hostile_pickles_run_nothing(tmp_path, make, refused, protocol):
    marker = tmp_path / "pwned"
    path = write(tmp_path / "evil.pkl", make(marker), protocol)
    with pytest.raises(CheckpointError) as info:
        load_book_params(path)
    message = str(info.value)
    assert str(path) in message and "refusing to load" in message and "\n" not in message
    if protocol in (3, 4):  # 0-2 may stop first at _codecs.encode (bytes), 5 at numpy's _frombuffer (arrays)
        assert re.search(f"the global {refused}", message), message
    assert not marker.exists()


def test_hand_written_protocol_0_payload(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    with pytest.raises(CheckpointError, match=r"references the global os\.system"):
        load_book_params(path)
    assert not marker.exists()


def test_numpys_own_reconstruct_cannot_be_misused(tmp_path):
    # _reconstruct(ndarray, (10**10,), b"b") would allocate 10 GB with NumPy's real function
    opcodes = (b"\x80\x03cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
               b"\x8a\x05\x00\xe4\x0bT\x02\x85C\x01b\x87R\x85.")
    path = tmp_path / "big.pkl"
    path.write_bytes(opcodes)
    with pytest.raises(CheckpointError, match=r"_reconstruct called with .* instead of NumPy's arguments"):
        load_book_params(path)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"W": np.zeros(2, np.float16)}, "holds a dict of 1 item"),
        (np.zeros(2, np.float16), "holds an array; expected a list of NumPy arrays"),
        ([], "holds an empty list"),
        ([np.zeros(2, np.float16), 3.0], "item 1 of the list is 3.0, not a NumPy float array"),
        ([np.zeros(2, np.float16), "W"], "item 1 of the list is 'W'"),
        ([np.zeros(2, np.float16), None], "item 1 of the list is None"),
        ([[np.zeros(2, np.float16)]], "item 0 of the list is a list of 1 item"),
        ([np.array([1, "a"], dtype=object)], "dtype object"),
        ([np.arange(3)], "a weight file holds float arrays only"),
        ([np.zeros(2, dtype=[("a", "f4"), ("b", "f4")])], "dtype"),
        ([np.zeros(2, np.complex64)], "float arrays only"),
        ([np.array(["ab"])], "float arrays only"),
    ],
)
def test_anything_but_a_list_of_float_arrays_is_refused(tmp_path, obj, message):
    path = write(tmp_path / "w.pkl", obj)
    with pytest.raises(CheckpointError, match=message) as info:
        load_book_params(path)
    assert str(path) in str(info.value)


def test_array_whose_data_does_not_fit_its_shape(tmp_path):
    data = pickle.dumps([np.zeros((4, 4), np.float16)], protocol=3)
    data = data.replace(b"K\x04K\x04\x86", b"K\x04K\x05\x86")  # the shape tuple (4, 4) -> (4, 5)
    path = tmp_path / "w.pkl"
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match=r"shape \(4, 5\) and dtype float16 \(40 bytes\) with 32 bytes"):
        load_book_params(path)


@pytest.mark.parametrize("cut", [1, 10, 40, -3, -1])
def test_truncated_pickle(tmp_path, rng, cut):
    data = pickle.dumps(book_params(rng), protocol=3)
    path = tmp_path / "w.pkl"
    path.write_bytes(data[:cut])
    with pytest.raises(CheckpointError, match=r"truncated or corrupted|not a file of the book's weights") as info:
        load_book_params(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"hello world\n", "not a readable pickle"),
        (b"\x80\x03\xff\xff", "not a readable pickle"),
    ],
)
def test_files_that_are_not_pickles(tmp_path, content, message):
    path = tmp_path / "w.pkl"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_book_params(path)


def test_an_npz_checkpoint_is_pointed_to_load_params(tmp_path):
    path = save_params(tmp_path / "w.npz", [np.zeros(2, np.float32)])
    with pytest.raises(CheckpointError, match="is an .npz archive, not a pickle: read it with checkpoint.load_params"):
        load_book_params(path)


def test_missing_folder_device_and_pipe(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        load_book_params(tmp_path / "nope.pkl")
    with pytest.raises(CheckpointError, match="is a folder"):
        load_book_params(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(CheckpointError, match="not a regular file"):
            load_book_params("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.pkl"
        os.mkfifo(fifo)
        with pytest.raises(CheckpointError, match="not a regular file"):
            load_book_params(fifo)  # refused without opening it (opening would block)


def test_huge_file_is_refused_before_reading(tmp_path, rng, monkeypatch):
    path = write(tmp_path / "w.pkl", book_params(rng))
    with pytest.raises(CheckpointError, match=r"more than the 100 bytes"):
        load_book_params(path, max_bytes=100)
    sparse = tmp_path / "sparse.pkl"
    with open(sparse, "wb") as f:
        f.truncate(3 * 1024**3)  # 3 GiB on paper, no blocks on disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(os, "open", no_reading)
    with pytest.raises(CheckpointError, match=r"3221225472 bytes, more than the 2147483648 bytes"):
        load_book_params(sparse)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_max_bytes_must_be_positive(tmp_path, bad):
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        load_book_params(tmp_path / "w.pkl", max_bytes=bad)


# ---------------------------------------------------------------------------------------------------------
# loading into a model, tied weights included
# ---------------------------------------------------------------------------------------------------------


class TiedModel:
    """Like the book's BetterRnnlm: the output affine's W is the embedding's transpose (the same memory)."""

    def __init__(self, V=6, D=3, H=4):
        rng = np.random.default_rng(1)
        self.embed_W = rng.standard_normal((V, D)).astype(np.float32)
        self.lstm_Wx = rng.standard_normal((D, 4 * H)).astype(np.float32)
        self.lstm_b = np.zeros(4 * H, np.float32)
        self.affine_b = np.zeros(V, np.float32)
        self.params = [self.embed_W, self.lstm_Wx, self.lstm_b, self.embed_W.T, self.affine_b]
        self.param_names = ["embed_W", "lstm_Wx", "lstm_b", "affine_W", "affine_b"]


def books_save_params(model):
    """What the book's BaseModel.save_params pickles: every params entry cast to float16 (ties copied)."""
    return [p.astype(np.float16) for p in model.params]


def snapshot(model):
    return [p.copy() for p in model.params]


def assert_untouched(model, before):
    for p, s in zip(model.params, before):
        np.testing.assert_array_equal(p, s)


def test_book_format_loads_into_a_tied_model(tmp_path):
    stored = books_save_params(TiedModel(V=6))
    stored[0] = (stored[0] * 2).astype(np.float16)
    stored[3] = stored[0].T.copy()
    path = write(tmp_path / "better.pkl", stored)
    model = TiedModel()
    arrays = load_book_params(path, model)
    assert all(a.dtype == np.float16 for a in arrays)  # returned as stored
    assert model.embed_W.dtype == np.float32
    np.testing.assert_array_equal(model.embed_W, stored[0].astype(np.float32))
    assert model.params[3].base is model.embed_W  # still tied
    np.testing.assert_array_equal(model.params[3], model.embed_W.T)


def test_file_without_the_tied_duplicate_loads_too(tmp_path):
    stored = books_save_params(TiedModel())
    del stored[3]
    stored[1] = np.ones_like(stored[1])
    model = TiedModel()
    load_book_params(write(tmp_path / "w.pkl", stored), model)
    np.testing.assert_array_equal(model.lstm_Wx, 1)


def test_tied_entries_that_differ_are_refused(tmp_path):
    stored = books_save_params(TiedModel())
    stored[3] = np.zeros_like(stored[3])  # weights of an untied model
    model = TiedModel()
    before = snapshot(model)
    with pytest.raises(CheckpointError,
                       match=r"ties 'affine_W' to 'embed_W' \(transposed\) but the arrays for them differ"):
        load_book_params(write(tmp_path / "w.pkl", stored), model)
    assert_untouched(model, before)


def test_count_mismatch_names_the_parameters(tmp_path):
    stored = books_save_params(TiedModel())[:3]
    model = TiedModel()
    before = snapshot(model)
    with pytest.raises(CheckpointError, match=r"holds 3 arrays but TiedModel has 5 parameters \(4 without the tied "
                                              r"duplicates\): embed_W, lstm_Wx"):
        load_book_params(write(tmp_path / "w.pkl", stored), model)
    assert_untouched(model, before)


def test_shape_mismatch_names_the_parameter_and_leaves_the_model(tmp_path):
    stored = books_save_params(TiedModel(H=5))  # a different hidden size: lstm_Wx and lstm_b differ
    model = TiedModel(H=4)
    before = snapshot(model)
    with pytest.raises(CheckpointError, match=r"array 1, for 'lstm_Wx', has shape \(3, 20\) but TiedModel's 'lstm_Wx' "
                                              r"has shape \(3, 16\)"):
        load_book_params(write(tmp_path / "w.pkl", stored), model)
    assert_untouched(model, before)


def test_a_list_of_arrays_as_the_model(tmp_path, rng):
    stored = book_params(rng)
    targets = [np.zeros(s.shape, np.float32) for s in stored]
    load_book_params(write(tmp_path / "w.pkl", stored), [*targets])  # no names: params[i]

    class Model:
        params = targets

    load_book_params(write(tmp_path / "w.pkl", stored), Model())
    for t, s in zip(targets, stored):
        np.testing.assert_array_equal(t, s.astype(np.float32))
    with pytest.raises(CheckpointError, match=r"'params\[0\]' has shape \(3, 5\)"):
        load_book_params(write(tmp_path / "w.pkl", stored), [np.zeros((3, 5), np.float32)] + targets[1:])


def test_converted_file_reads_back_as_a_checkpoint(tmp_path, rng):
    stored = book_params(rng)
    arrays = load_book_params(write(tmp_path / "w.pkl", stored))
    header, back = read_checkpoint(save_params(tmp_path / "w.npz", arrays))
    assert [e["name"] for e in header["params"]] == ["params[0]", "params[1]", "params[2]"]
    for a, s in zip(back, stored):
        assert a.dtype == np.float16
        np.testing.assert_array_equal(a, s)


# ---------------------------------------------------------------------------------------------------------
# the published files are checked byte for byte wherever they are loaded from, whatever they are called
# ---------------------------------------------------------------------------------------------------------


def _flipped(source, tmp_path, name, position, bit=0):
    data = bytearray(source.read_bytes())
    data[position] ^= 1 << bit
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("name", ["Rnnlm.pkl", "my-weights.pkl"])
def test_a_published_file_with_one_flipped_data_byte_is_refused(tmp_path, name):
    from scratchnlp.models import Rnnlm

    source = _mirror_file("Rnnlm.pkl")
    damaged = _flipped(source, tmp_path, name, source.stat().st_size // 2)  # inside the embedding's data
    model = Rnnlm(10000, 100, 100)
    before = [p.copy() for p in model.params]
    with pytest.raises(CheckpointError) as info:
        load_book_params(damaged, model)
    text = str(info.value)
    assert "\n" not in text
    assert f"{damaged} is damaged or modified" in text and "the book's published Rnnlm.pkl has d872e609" in text
    assert "expected_sha256=None" in text and "scratchnlp download book-weights" in text
    assert all(np.array_equal(p, b) for p, b in zip(model.params, before))  # the model was not touched
    # weights the reader trained at the published sizes: loaded when asked not to verify
    arrays = load_book_params(damaged, expected_sha256=None)
    assert [a.shape for a in arrays] == [a.shape for a in load_book_params(source)]


def test_every_sampled_byte_flip_of_a_published_file_is_refused(tmp_path):
    source = _mirror_file("AttentionSeq2seq.pkl")
    size = source.stat().st_size
    positions = list(range(0, 400, 7)) + list(np.random.default_rng(0).integers(400, size, 40))
    accepted = []
    for k, position in enumerate(positions):
        path = _flipped(source, tmp_path, "copy.pkl", int(position), bit=k % 8)
        try:
            load_book_params(path)
            accepted.append(int(position))
        except CheckpointError:
            pass
    assert accepted == []


def test_an_explicit_sha256_must_match_and_other_files_are_not_checked(tmp_path, rng):
    import hashlib

    own = write(tmp_path / "Rnnlm.pkl", book_params(rng))  # the book's code names every Rnnlm file so
    assert len(load_book_params(own)) == 3  # not the published shapes: nothing to compare with
    digest = hashlib.sha256(own.read_bytes()).hexdigest()
    assert len(load_book_params(own, expected_sha256=digest)) == 3
    with pytest.raises(CheckpointError, match=f"damaged or modified: its SHA-256 is {digest} but expected_sha256"):
        load_book_params(own, expected_sha256="0" * 64)


@pytest.mark.parametrize("bad", ["yes", "ABC", "0" * 63, 5])
def test_expected_sha256_must_be_a_digest(tmp_path, rng, bad):
    with pytest.raises(ValueError, match="expected_sha256 must be 'published', 64 lower-case hex digits or None"):
        load_book_params(write(tmp_path / "w.pkl", book_params(rng)), expected_sha256=bad)


def test_the_shapes_that_identify_the_published_files_are_theirs():
    from scratchnlp.checkpoint import BOOK_FILE_SHAPES
    from scratchnlp.datasets import BOOK_WEIGHTS

    assert sorted(BOOK_FILE_SHAPES) == sorted(BOOK_WEIGHTS.values())
    for name, shapes in BOOK_FILE_SHAPES.items():
        assert tuple(a.shape for a in load_book_params(_mirror_file(name))) == shapes


def test_a_folder_is_pointed_to_the_pkl_file_not_to_an_npz(tmp_path):
    with pytest.raises(CheckpointError) as info:
        load_book_params(tmp_path)
    assert "book weight file" in str(info.value) and ".pkl" in str(info.value) and ".npz" not in str(info.value)
