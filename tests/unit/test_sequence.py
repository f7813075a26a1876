"""The sequence datasets of chapter 7: the book's split and ids, one vocabulary per file, generated problems."""

import os

import numpy as np
import pytest

from scratchnlp.datasets import sequence


@pytest.fixture(scope="module")
def sequence_files():
    """The book's addition.txt and date.txt, or a skip naming what to set (nothing downloaded at collection)."""
    from scratchnlp.datasets import DatasetUnavailableError, fetch

    try:
        return {name: fetch("sequence", name, progress=False) for name in sequence.FILES}
    except DatasetUnavailableError as exc:
        if os.environ.get("SCRATCHNLP_REQUIRE_DATA"):
            pytest.fail(f"the sequence files are required here (SCRATCHNLP_REQUIRE_DATA) but unavailable: {exc}")
        pytest.skip(f"sequence files unavailable (set SCRATCHNLP_MIRROR or run `scratchnlp download sequence`): {exc}")


def book_loader(path, seed=1984):
    """The book's dataset/sequence.py load_data as its behaviour is described: a fresh vocabulary per call here."""
    char_to_id, id_to_char = {}, {}

    def update_vocab(txt):
        for char in list(txt):
            if char not in char_to_id:
                tmp_id = len(char_to_id)
                char_to_id[char] = tmp_id
                id_to_char[tmp_id] = char

    questions, answers = [], []
    with open(path) as f:
        for line in f:
            idx = line.find("_")
            questions.append(line[:idx])
            answers.append(line[idx:-1])
    for q, a in zip(questions, answers):
        update_vocab(q)
        update_vocab(a)
    x = np.zeros((len(questions), len(questions[0])), dtype=int)
    t = np.zeros((len(questions), len(answers[0])), dtype=int)
    for i, sentence in enumerate(questions):
        x[i] = [char_to_id[c] for c in list(sentence)]
    for i, sentence in enumerate(answers):
        t[i] = [char_to_id[c] for c in list(sentence)]
    indices = np.arange(len(x))
    state = np.random.get_state()  # noqa: NPY002 - the book's global generator
    try:
        np.random.seed(seed)  # noqa: NPY002 - the book seeds NumPy's global generator
        np.random.shuffle(indices)  # noqa: NPY002
    finally:
        np.random.set_state(state)  # noqa: NPY002
    x, t = x[indices], t[indices]
    split_at = len(x) - len(x) // 10
    return ((x[:split_at], t[:split_at]), (x[split_at:], t[split_at:])), (char_to_id, id_to_char)


@pytest.mark.parametrize("name", ["addition.txt", "date.txt"])
def test_split_and_ids_equal_the_books(sequence_files, name):
    (x_train, t_train), (x_test, t_test) = sequence.load_data(name)
    char_to_id, id_to_char = sequence.get_vocab()
    ((bx_train, bt_train), (bx_test, bt_test)), (b_char_to_id, b_id_to_char) = book_loader(sequence_files[name])
    for ours, book in ((x_train, bx_train), (t_train, bt_train), (x_test, bx_test), (t_test, bt_test)):
        assert ours.dtype == np.int32
        np.testing.assert_array_equal(ours, book)
    assert char_to_id == b_char_to_id and id_to_char == b_id_to_char
    assert list(char_to_id.values()) == list(range(len(char_to_id)))  # ids in order of first appearance
    assert sequence.get_vocab(name) is sequence.get_vocab()


def test_the_books_printed_example(sequence_files):
    (x_train, t_train), (x_test, t_test) = sequence.load_data("addition.txt", seed=1984)
    char_to_id, id_to_char = sequence.get_vocab()
    assert x_train.shape == (45000, 7) and t_train.shape == (45000, 5)
    assert x_test.shape == (5000, 7) and t_test.shape == (5000, 5)
    # what the book's ch07/show_addition_dataset.py prints
    assert x_train[0].tolist() == [3, 0, 2, 0, 0, 11, 5]
    assert t_train[0].tolist() == [6, 0, 11, 7, 5]
    assert "".join(id_to_char[c] for c in x_train[0]) == "71+118 "
    assert "".join(id_to_char[c] for c in t_train[0]) == "_189 "
    assert len(char_to_id) == 13 and char_to_id["_"] == 6
    assert (t_train[:, 0] == char_to_id["_"]).all()


def test_one_vocabulary_per_file(sequence_files):
    """The book's global vocabulary grows across files; ours keeps each file's own."""
    sequence.load_data("addition.txt")
    addition = dict(sequence.get_vocab()[0])
    (x, t), _ = sequence.load_data("date.txt")
    date_vocab, date_chars = sequence.get_vocab()
    assert sequence.get_vocab("addition.txt")[0] == addition
    assert len(date_vocab) == 59 and x.max() < 59 and t.max() < 59
    assert date_chars[int(x[0, 0])] in date_vocab
    _, (b_vocab, _) = book_loader(sequence_files["date.txt"])
    assert date_vocab == b_vocab  # the date ids do not depend on having loaded addition.txt first


def test_another_seed_gives_another_split_of_the_same_lines(sequence_files):
    (a, ta), (b, tb) = sequence.load_data("addition.txt")
    (c, tc), (d, td) = sequence.load_data("addition.txt", seed=7)
    assert not np.array_equal(a, c)
    rows = lambda *arrays: sorted(map(tuple, np.concatenate([np.concatenate(arrays[:2]),  # noqa: E731
                                                             np.concatenate(arrays[2:])], axis=1)))
    assert rows(a, b, ta, tb) == rows(c, d, tc, td)
    (e, _), _ = sequence.load_data("addition.txt", seed=np.random.default_rng(3))
    (f, _), _ = sequence.load_data("addition.txt", seed=np.random.default_rng(3))
    np.testing.assert_array_equal(e, f)


def test_load_lines_and_local_files(tmp_path):
    lines = ["1+2 _3 ", "10+5_15", "7+7 _14"] * 10
    ((x, t), (xt, tt)), (char_to_id, id_to_char) = sequence.load_lines(lines, seed=0)
    assert x.shape == (27, 4) and xt.shape == (3, 4) and t.shape == (27, 3)
    assert list(char_to_id) == ["1", "+", "2", " ", "_", "3", "0", "5", "7", "4"]
    decoded = {"".join(id_to_char[c] for c in q) + "".join(id_to_char[c] for c in a)
               for q, a in zip(np.concatenate([x, xt]), np.concatenate([t, tt]))}
    assert decoded == set(lines)
    path = tmp_path / "mine.txt"
    path.write_text("\n".join(lines) + "\n")
    (x2, t2), (xt2, tt2) = sequence.load_data(path, seed=0)
    np.testing.assert_array_equal(x2, x)
    np.testing.assert_array_equal(tt2, tt)
    assert sequence.get_vocab() == (char_to_id, id_to_char)
    assert sequence.get_vocab(path) is sequence.get_vocab(str(path))
    path.write_text("\r\n".join(lines))  # Windows line ends, no final newline: the last line is kept whole
    (x3, _), (_, tt3) = sequence.load_data(path, seed=0)
    np.testing.assert_array_equal(x3, x)
    np.testing.assert_array_equal(tt3, tt)


def test_bad_files_are_one_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no sequence file 'nothing.txt'"):
        sequence.load_data("nothing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("1+2 _3 \n12+3 4 \n")
    with pytest.raises(ValueError, match=r"line 2: no '_'"):
        sequence.load_data(bad)
    bad.write_text("1+2 _3 \n12+3  _15 \n")
    with pytest.raises(ValueError, match="line 2: question and answer are 6 and 4 characters wide"):
        sequence.load_data(bad)
    bad.write_text("\n\n")
    with pytest.raises(ValueError, match="no question_answer lines"):
        sequence.load_data(bad)
    with pytest.raises(ValueError, match="seed"):
        sequence.load_lines(["1_1"], seed=-1)


def test_make_addition_has_the_books_format_and_correct_sums():
    lines = sequence.make_addition(2000, seed=5)
    assert len(lines) == 2000 and len(set(lines)) == 2000
    assert lines == sequence.make_addition(2000, seed=5)
    assert lines != sequence.make_addition(2000, seed=6)
    lengths = set()
    for line in lines:
        assert len(line) == 12 and line[7] == "_"
        a, b = map(int, line[:7].split("+"))
        assert int(line[8:]) == a + b and a < 1000 and b < 1000
        lengths.add(len(str(a)))
    assert lengths == {1, 2, 3}
    ((x, t), (xt, tt)), (char_to_id, _) = sequence.load_lines(lines)
    assert x.shape == (1800, 7) and t.shape == (1800, 5) and xt.shape == (200, 7)
    assert set(char_to_id) == set("0123456789+ _")
    harder = sequence.make_addition(100, digits=5, seed=0)
    assert all(len(line) == 11 + 1 + 6 and line[11] == "_" for line in harder)
    assert sum(len(line.split("+")[0]) == 5 for line in harder) > 5
    assert len(sequence.make_addition(300, digits=2, seed=0, unique=False)) == 300


def test_make_addition_bad_arguments():
    with pytest.raises(ValueError, match="size must be a positive int"):
        sequence.make_addition(0)
    with pytest.raises(ValueError, match="digits must be a positive int"):
        sequence.make_addition(10, digits=0)
    with pytest.raises(ValueError, match="only 100 distinct problems"):
        sequence.make_addition(101, digits=1)
    with pytest.raises(ValueError, match="at most half"):
        sequence.make_addition(60, digits=1)


@pytest.mark.parametrize(
    ("file_name", "error", "message"),
    [
        (None, TypeError, "file_name must be a file name or path .* got NoneType"),
        (3, TypeError, "file_name must be a file name or path .* got int"),
        ("FOLDER", IsADirectoryError, "is a folder; give the path of a file in the question_answer format"),
    ],
)
def test_sequence_file_names_that_are_not_files_are_one_clear_error(tmp_path, file_name, error, message):
    with pytest.raises(error, match=message):
        sequence.load_data(str(tmp_path) if file_name == "FOLDER" else file_name)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": "a"}, "seed must be a non-negative int"),
        ({"n_per_class": 0}, "n_per_class must be a positive int"),
        ({"n_classes": 2.5}, "n_classes must be a positive int"),
        ({"noise": -1.0}, "noise must be a finite number >= 0"),
        ({"noise": float("nan")}, "noise must be a finite number >= 0"),
    ],
)
def test_spiral_arguments_are_checked(kwargs, message):
    from scratchnlp.datasets import spiral

    with pytest.raises(ValueError, match=message):
        spiral.load_data(**kwargs)


def test_spiral_keeps_the_book_s_seeded_points():
    from scratchnlp.datasets import spiral

    x, t = spiral.load_data()
    x2, _ = spiral.load_data(np.random.default_rng(1984))
    np.testing.assert_array_equal(x, x2)
    assert x.shape == (300, 2) and t.sum() == 300
