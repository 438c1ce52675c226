"""RFC 6962 / RFC 9162 Merkle tree hashing and proofs as pure functions (DESIGN §10).

Leaves are raw bytes; hashes are 32-byte SHA-256 digests; proofs are lists of
hashes in RFC 9162 order (from the leaf's level up)::

    leaves = [b"a", b"b", b"c"]
    head = root(leaves)
    verify_inclusion(b"c", 2, 3, inclusion_proof(leaves, 2), head)                  # True
    verify_consistency(2, 3, root(leaves[:2]), head, consistency_proof(leaves, 2))  # True

The proof builders take any ``mth(start, end)`` (the hash of leaves
``[start, end)``) through :func:`path` and :func:`subproof`, so the stored log
(``trace.transparency.log``) builds the same proofs from its saved subtrees
instead of rehashing every leaf.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (RFC 6962's k), size >= 2."""
    return 1 << ((size - 1).bit_length() - 1)


def path(index: int, start: int, end: int, mth: SubtreeHash) -> list[bytes]:
    """PATH(m, D[start:end]) of RFC 6962 §2.1.1 for the leaf at ``index``."""
    siblings = []
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            siblings.append(mth(start + k, end))
            end = start + k
        else:
            siblings.append(mth(start, start + k))
            start += k
    return siblings[::-1]


def subproof(old_size: int, start: int, end: int, mth: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[start:end]) of RFC 6962 §2.1.2: SUBPROOF with b = true."""
    hashes, complete = [], True
    while end - start != old_size:
        k = split_point(end - start)
        if old_size <= k:
            hashes.append(mth(start + k, end))
            end = start + k
        else:
            hashes.append(mth(start, start + k))
            start, old_size, complete = start + k, old_size - k, False
    if not complete:
        hashes.append(mth(start, end))
    return hashes[::-1]


def _subtree_hasher(leaves: Sequence[bytes]) -> SubtreeHash:
    hashes = [leaf_hash(leaf) for leaf in leaves]

    def mth(start: int, end: int) -> bytes:
        if end - start == 1:
            return hashes[start]
        k = split_point(end - start)
        return node_hash(mth(start, start + k), mth(start + k, end))
    return mth


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]): the tree head of ``leaves``, level by level: RFC 6962's left-full
    tree is what pairing neighbours and lifting an odd last node unchanged builds."""
    return root_of_hashes([leaf_hash(leaf) for leaf in leaves])


def root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH from the leaf hashes themselves."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + level[len(paired) * 2:]
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    return path(index, 0, len(leaves), _subtree_hasher(leaves))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"a tree of {len(leaves)} has no earlier size {old_size}")
    if old_size in (0, len(leaves)):
        return []
    return subproof(old_size, 0, len(leaves), _subtree_hasher(leaves))


def _well_formed(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root_hash: bytes) -> bool:
    """RFC 9162 §2.1.3.2: is ``leaf`` at ``index`` of the tree of ``size`` with head
    ``root_hash``?"""
    if not (0 <= index < size and _well_formed(root_hash, *proof)):
        return False
    fn, sn, r = index, size - 1, leaf_hash(leaf)
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``new_size`` an append-only extension of the
    tree of ``old_size``?"""
    if not (0 <= old_size <= new_size and _well_formed(*proof)):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof or not _well_formed(old_root, new_root):
        return False
    hashes = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old head is a node itself
        hashes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
