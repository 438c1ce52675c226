"""The scan page in real headless Chromium, at a phone viewport and on a desktop."""

import os
import shutil
import subprocess

import pytest

from conftest import BASE_URL

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install -y chromium)",
                allow_module_level=True)


def chromium(tmp_path, url: str, size: str, *extra: str) -> str:
    assert CHROMIUM, "Chromium is required in CI"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={size}", *extra, url],
        capture_output=True, text=True, timeout=90)
    return result.stdout


@pytest.mark.parametrize("size", ["390,844", "1280,720"])
def test_genuine_page_renders_in_chromium(tmp_path, live_server, issued_urls, size):
    url = live_server + issued_urls[0][len(BASE_URL):]
    dom = chromium(tmp_path, url, size, "--dump-dom")
    assert 'data-verdict="genuine"' in dom
    assert "正品" in dom and "诸暨淡水珍珠项链" in dom and "诸暨市山下湖明珠珍珠有限公司" in dom
    shot = tmp_path / "page.png"
    chromium(tmp_path, url, size, f"--screenshot={shot}", "--hide-scrollbars")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_forged_page_renders_in_chromium(tmp_path, live_server, issued_urls):
    first, second = issued_urls[0], issued_urls[1]
    moved = first.split("&s=")[0] + "&s=" + second.split("&s=")[1]
    dom = chromium(tmp_path, live_server + moved[len(BASE_URL):], "390,844", "--dump-dom")
    assert 'data-verdict="forged"' in dom and "谨防假冒" in dom
