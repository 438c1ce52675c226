"""RFC 6962 hashing and proofs: against the RFC's own definitions, written here as
plainly as the RFC states them, for every tree size 1..64; against published test
vectors; and against every way a proof can be bent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from trace import ledger

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6962_vectors.json").read_text())
LEAVES = [f"leaf {i}".encode() for i in range(64)]


# --- RFC 6962 §2.1, transcribed -------------------------------------------------------

def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = largest_power_of_two_below(n)
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return rfc_path(m, d[:k]) + [mth(d[k:])]
    return rfc_path(m - k, d[k:]) + [mth(d[:k])]


def rfc_proof(m: int, d: list[bytes]) -> list[bytes]:
    return rfc_subproof(m, d, True)


def rfc_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return rfc_subproof(m, d[:k], b) + [mth(d[k:])]
    return rfc_subproof(m - k, d[k:], False) + [mth(d[:k])]


# --- agreement with the RFC, every size and index --------------------------------------

@pytest.mark.parametrize("size", range(1, 65))
def test_heads_and_inclusion_proofs_match_the_rfc_for_every_leaf(size):
    leaves = LEAVES[:size]
    head = ledger.root(leaves)
    assert head == mth(leaves)
    for index in range(size):
        proof = ledger.inclusion_proof(leaves, index)
        assert proof == rfc_path(index, leaves)
        assert ledger.verify_inclusion(leaves[index], index, size, proof, head)
        assert not ledger.verify_inclusion(leaves[index] + b"!", index, size, proof, head)
        if size > 1:
            assert not ledger.verify_inclusion(leaves[index], (index + 1) % size, size,
                                               proof, head)


@pytest.mark.parametrize("size", range(1, 65))
def test_consistency_proofs_match_the_rfc_for_every_earlier_size(size):
    leaves = LEAVES[:size]
    head = mth(leaves)
    for old in range(1, size + 1):
        proof = ledger.consistency_proof(leaves, old)
        assert proof == (rfc_proof(old, leaves) if old < size else [])
        assert ledger.verify_consistency(old, size, mth(leaves[:old]), head, proof)
        if old < size:
            forked = mth(leaves[:old - 1] + [b"rewritten"])
            assert not ledger.verify_consistency(old, size, forked, head, proof)


def test_the_empty_tree():
    assert ledger.root([]) == hashlib.sha256(b"").digest() == ledger.EMPTY_ROOT
    assert ledger.consistency_proof(LEAVES[:3], 0) == []
    assert ledger.verify_consistency(0, 3, ledger.EMPTY_ROOT, mth(LEAVES[:3]), [])
    with pytest.raises(ValueError, match="not in a tree"):
        ledger.inclusion_proof([], 0)


# --- the published vectors ---------------------------------------------------------------

def vector_leaves() -> list[bytes]:
    return [bytes.fromhex(leaf) for leaf in VECTORS["leaves"]]


def test_roots_match_the_published_vectors():
    leaves = vector_leaves()
    assert [ledger.root(leaves[:n]).hex() for n in range(1, 9)] == VECTORS["roots"]


@pytest.mark.parametrize("case", VECTORS["inclusion"], ids=lambda c: f"{c['index']}of{c['size']}")
def test_inclusion_proofs_match_the_published_vectors(case):
    leaves = vector_leaves()[:case["size"]]
    proof = [bytes.fromhex(h) for h in case["proof"]]
    assert ledger.inclusion_proof(leaves, case["index"]) == proof
    head = bytes.fromhex(VECTORS["roots"][case["size"] - 1])
    assert ledger.verify_inclusion(leaves[case["index"]], case["index"], case["size"], proof,
                                   head)


@pytest.mark.parametrize("case", VECTORS["consistency"], ids=lambda c: f"{c['old']}to{c['new']}")
def test_consistency_proofs_match_the_published_vectors(case):
    leaves = vector_leaves()[:case["new"]]
    proof = [bytes.fromhex(h) for h in case["proof"]]
    assert ledger.consistency_proof(leaves, case["old"]) == proof
    roots = [bytes.fromhex(r) for r in VECTORS["roots"]]
    assert ledger.verify_consistency(case["old"], case["new"], roots[case["old"] - 1],
                                     roots[case["new"] - 1], proof)


# --- bent proofs fail ---------------------------------------------------------------------

def flipped(proof: list[bytes], i: int) -> list[bytes]:
    bent = list(proof)
    bent[i] = bytes([bent[i][0] ^ 8]) + bent[i][1:]
    return bent


def test_every_bent_inclusion_proof_fails():
    leaves, index, size = LEAVES[:13], 6, 13
    proof, head = ledger.inclusion_proof(leaves, index), ledger.root(leaves)
    some_hash = hashlib.sha256(b"some").digest()
    bent = [(index - 1, size, proof, head), (index + 1, size, proof, head),
            (index, size * 2, proof, head), (index, size // 2, proof, head),
            (index, size, proof, some_hash), (index, size, proof, ledger.EMPTY_ROOT),
            (index, size, proof + [b""], head), (index, size, proof + [head], head),
            (index, size, [head] + proof, head), (index, size, proof[:-1], head),
            (index, size, [proof[0], some_hash] + proof[1:], head),
            (size, size, proof, head), (-1, size, proof, head)]
    bent += [(index, size, flipped(proof, i), head) for i in range(len(proof))]
    for case in bent:
        assert not ledger.verify_inclusion(leaves[index], *case), case


def test_every_bent_consistency_proof_fails():
    leaves, old, new = LEAVES[:13], 6, 13
    proof = ledger.consistency_proof(leaves, old)
    r1, r2 = ledger.root(leaves[:old]), ledger.root(leaves)
    bent = [(old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof),
            (old, new * 2, r1, r2, proof), (old, new // 2, r1, r2, proof),
            (old, new, b"wrong", r2, proof), (old, new, r1, b"wrong", proof),
            (old, new, r2, r1, proof), (old, new, r1, r2, []),
            (old, new, r1, r2, proof + [b""]), (old, new, r1, r2, proof + [r1]),
            (old, new, r1, r2, [r2] + proof), (old, new, r1, r2, [proof[0]] + proof),
            (old, new, r1, r2, proof[:-1]), (new, old, r2, r1, proof)]
    bent += [(old, new, r1, r2, flipped(proof, i)) for i in range(len(proof))]
    for case in bent:
        assert not ledger.verify_consistency(*case), case[:2]
