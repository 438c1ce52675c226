"""Printing commands: ``labels list``, ``labels print`` and ``codes qr``::

    python -m trace labels print --gtin 09521234000013 --lot ZJ-2611-A --stock a4-3x8 --out l.pdf
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
from pathlib import Path
from typing import BinaryIO, Callable, ContextManager, Iterator

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import catalog, downloads, label_sources, labels, printers, qr, stocks, textfit
from ..codes import parse_link
from ..errors import InvalidInput
from .common import database


@click.command("qr")
@with_appcontext
@click.argument("url")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="FILE.svg (vector) or FILE.png.")
@click.option("--module-px", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Pixels a module in the PNG (or nominal size in the SVG).")
def codes_qr(url: str, out: str, module_px: int):
    """Write the QR code of one item or batch URL as SVG or PNG.

    \b
    Example:
      python -m trace codes qr "$URL" --out code.svg
      python -m trace codes qr http://127.0.0.1:5000/01/09521234000013/10/ZJ-2611-A --out batch.png
    """
    parse_link(url, current_app.config["BASE_URL"])  # only codes of ours get printed
    symbol = qr.make_symbol(url)
    suffix = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if suffix == "svg":
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(qr.to_svg(symbol, module_px, title=url))
    elif suffix == "png":
        with open(out, "wb") as handle:
            handle.write(qr.to_png(symbol, module_px))
    else:
        raise click.BadParameter("must end in .svg or .png", param_hint="--out")
    click.echo(f"Wrote QR version {symbol.version} ({symbol.width} modules with quiet zone) "
               f"to {out}")


@click.group("labels", cls=AppGroup)
def labels_group():
    """Label sheets (PDF) for a batch's codes, on the stocks in labels/.

    \b
    Example:
      python -m trace labels list
      python -m trace labels print --gtin 09521234000013 --lot ZJ-2611-A --stock a4-3x8 --out l.pdf
    """


@labels_group.command("list")
def labels_list():
    """List the label stocks (files in the labels folder).

    \b
    Example:
      python -m trace labels list
    """
    folder = current_app.config["LABELS_DIR"]
    for name in stocks.list_stocks(folder):
        stock = stocks.load_stock(name, folder)
        click.echo(f"{name:<20} {stock.labels_per_page:>3} a page  {stock.description}")


@labels_group.command("print")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--stock", required=True, help="A stock name from 'labels list'.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="FILE.pdf, or FILE.tspl / FILE.zpl; '-' streams TSPL or ZPL to stdout.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "tspl", "zpl"]), default="pdf",
              show_default=True, help="PDF for any printer; TSPL (TSC, Gprinter, Xprinter) "
              "or ZPL (Zebra) for a thermal roll stock.")
@click.option("--serials", "positions", help="Only codes FROM-TO in issue order "
              "(1-based, inclusive; as numbered in 'codes export').")
@click.option("--start-at", default=0, show_default=True, type=click.IntRange(0),
              help="Skip N positions on the first sheet (a partly used A4 sheet).")
@click.option("--per-file", default=labels.DEFAULT_PER_FILE, show_default=True,
              type=click.IntRange(1), help="Labels a PDF; larger jobs go to FILE-001.pdf, ...")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes (default: one a core).")
def labels_print(gtin: str, lot: str, stock: str, out: str, fmt: str, positions: str | None,
                 start_at: int, per_file: int, workers: int | None):
    """Print the batch's codes as labels: one file, or several for large batches.

    \b
    Example:
      python -m trace labels print --gtin 09521234000013 --lot ZJ-2611-A \\
          --stock a4-3x8 --out labels.pdf --start-at 5
      python -m trace labels print --gtin 09521234000013 --lot ZJ-2611-A \\
          --stock thermal-40x30 --format tspl --out - | lp -d label-printer -o raw
    """
    folder = current_app.config["LABELS_DIR"]
    chosen = stocks.load_stock(stock, folder)
    target = _output(out, fmt)
    if fmt != "pdf":
        printers.check_printer_stock(chosen, fmt, folder)
        if start_at:
            raise click.BadParameter("is for partly used A4 sheets; a roll has no positions",
                                     param_hint="--start-at")
    elif start_at >= chosen.labels_per_page:  # said before any "Printing"
        raise InvalidInput(f"--start-at must be 0-{chosen.labels_per_page - 1} on {chosen.name} "
                           f"({chosen.labels_per_page} labels a page)")
    textfit.use_font(current_app.config.get("LABEL_FONT"))
    secret = current_app.config["HASH_SECRET"] if chosen.prints_pin else None
    source = label_sources.BatchSource(
        database(), gtin, lot, current_app.config["BASE_URL"],
        label_sources.parse_range(positions) if positions else None, pin_secret=secret)
    if source.with_pins and not chosen.prints_pin:
        click.echo(f"Warning: {source.with_pins} of these codes have scratch-off PINs, which "
                   f"{chosen.name} does not print; buyers need them to claim (print them on "
                   "thermal-50x30-pin, or from the pin column of codes export)", err=True)
    bar = click.progressbar(length=source.count, label="Printing", file=sys.stderr) \
        if source.count >= 1_000 else contextlib.nullcontext()
    with bar as shown, _stopped_by_sigterm(), _write_errors(out):
        progress = shown.update if shown else None
        domain = current_app.config["OFFICIAL_DOMAIN"]
        if fmt == "pdf":
            paths = labels.print_labels(source, chosen, out, domain=domain, start_at=start_at,
                                        per_file=per_file, workers=workers, folder=folder,
                                        progress=progress)
        elif isinstance(target, str):
            paths = printers.print_commands(source, chosen, target, fmt, domain=domain,
                                            per_file=per_file, progress=progress,
                                            workers=workers)
        else:
            with target() as stream:
                paths = printers.print_commands(source, chosen, stream, fmt, domain=domain,
                                                per_file=per_file, progress=progress)
    batch = catalog.get_batch(database(), gtin, catalog.normalise_lot(lot))
    first, last = label_sources.parse_range(positions) if positions else (
        1, catalog.issued_count(database(), batch.id))
    downloads.note_download(database(), batch, first, last, chosen, fmt,
                            f"cli:{os.environ.get('USER', 'supplier')}")
    if not paths:  # streamed to stdout or a device: the summary goes to stderr
        click.echo(f"Wrote {source.count} labels ({chosen.name}, {fmt.upper()}) to "
                   f"{'standard output' if out == '-' else out}", err=True)
        return
    where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files: {paths[0]} ... {paths[-1]}"
    click.echo(f"Wrote {source.count} label{'s' if source.count != 1 else ''} ({chosen.name}) "
               f"to {where}")


def _output(out: str, fmt: str) -> str | Callable[[], ContextManager[BinaryIO]]:
    """Where the labels go: a file path (written as parts, then renamed), or an opener
    for standard output or a printer device or pipe (written straight through)."""
    def bad(problem: str) -> click.BadParameter:
        return click.BadParameter(problem, param_hint="--out")
    if out == "-":
        if fmt == "pdf":
            raise bad("'-' streams TSPL or ZPL; a PDF goes to a file")
        return lambda: contextlib.nullcontext(sys.stdout.buffer)
    path = Path(out)
    if path.is_symlink():
        raise bad(f"{out} is a symbolic link; give the file or device it points to")
    if path.exists() and not path.is_file():
        mode = path.stat().st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)):
            raise bad(f"{out} is a folder or something else, not a file or a printer device")
        if fmt == "pdf":
            raise bad(f"{out} is a device; write the PDF to a file and print that file")
        return lambda: open(path, "wb")
    if not path.parent.is_dir():
        raise bad(f"there is no folder {path.parent}; create it first (is a USB stick "
                  "not mounted?)")
    if (fmt == "pdf") != (path.suffix.lower() == ".pdf"):
        raise bad("must end in .pdf" if fmt == "pdf" else
                  f"a {fmt.upper()} file should not be named .pdf (use .{fmt})")
    return out


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """kill (SIGTERM) unwinds like Ctrl-C, so the half-written parts are removed."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _write_errors(out: str) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}; "
                                   "nothing was left behind") from None


COMMANDS = [labels_group]
