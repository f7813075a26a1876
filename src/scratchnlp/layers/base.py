"""The small base every layer and model shares: parameters, sub-layers, train/eval mode, recurrent state.

The book's layers are plain classes with ``params``, ``grads``, ``forward`` and ``backward``; that protocol is
kept as it is. :class:`Layer` adds only what a model built from many layers needs to do to all of them at once:

* :meth:`Layer.children` finds the sub-layers a layer holds in its attributes (a layer, or a list or tuple of
  layers), so a model never has to keep a list of them by hand, and :meth:`Layer.walk` visits the whole tree;
* :meth:`Layer.train` / :meth:`Layer.eval` switch every layer in the tree between training and evaluation
  (dropout is on only in training, chapter 6.5.2);
* :meth:`Layer.reset_state` forgets the hidden state of every recurrent layer in the tree (chapter 5.3);
* :meth:`Layer.collect` builds ``params`` / ``grads`` from sub-layers in the order given, the way the book's
  models concatenate their layers' lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Layer", "ForwardFirstError"]


class ForwardFirstError(RuntimeError):
    """``backward`` was called on a layer whose ``forward`` has not run (there is nothing to differentiate)."""


class Layer:
    """Base of every layer and model.

    Attributes
    ----------
    params : list of arrays
        The parameters, in the book's order.
    grads : list of arrays
        Their gradients, same order and shapes; ``backward`` writes into them in place.
    training : bool
        True in training mode (the default), False after :meth:`Layer.eval`.
    """

    params: list[Any]
    grads: list[Any]
    training: bool = True

    def __init__(self) -> None:
        self.params = []
        self.grads = []

    # --- the tree of layers ------------------------------------------------------------------------------

    def children(self) -> Iterator[Layer]:
        """The direct sub-layers held in this object's attributes, in attribute order, each once.

        An attribute counts when it is a :class:`Layer` or a list/tuple containing layers.
        """
        seen: set[int] = set()
        for value in vars(self).values():
            items: Iterable[Any] = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Layer) and item is not self and id(item) not in seen:
                    seen.add(id(item))
                    yield item

    def walk(self) -> Iterator[Layer]:
        """This layer and every layer below it, depth first, each once (shared layers are visited once)."""
        seen: set[int] = set()
        stack: list[Layer] = [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            yield layer
            stack.extend(reversed(list(layer.children())))

    # --- modes and state ---------------------------------------------------------------------------------

    def train(self, mode: bool = True) -> Layer:
        """Put this layer and all its sub-layers in training mode (``mode=False``: evaluation); returns self."""
        for layer in self.walk():
            layer.training = bool(mode)
        return self

    def eval(self) -> Layer:
        """Evaluation mode for the whole tree: dropout passes its input through unchanged."""
        return self.train(False)

    @property
    def train_flg(self) -> bool:
        """The book's name for ``training`` (its ``Dropout`` and ``BetterRnnlm`` set ``train_flg``)."""
        return self.training

    @train_flg.setter
    def train_flg(self, value: bool) -> None:
        self.training = bool(value)

    def reset_state(self) -> None:
        """Forget the hidden state of every recurrent layer below this one (a no-op for stateless layers)."""
        for child in self.children():
            child.reset_state()

    # --- parameters --------------------------------------------------------------------------------------

    def collect(self, *layers: Layer) -> None:
        """Set ``params`` / ``grads`` to the concatenation of ``layers``' lists, in the order given."""
        self.params, self.grads = [], []
        for layer in layers:
            self.params += layer.params
            self.grads += layer.grads

    def _require_forward(self, cached: Any) -> None:
        """Raise :class:`ForwardFirstError` when ``cached`` (what forward stores) is still None."""
        if cached is None:
            raise ForwardFirstError(
                f"{type(self).__name__}.backward was called before forward: run forward on a batch first"
            )
