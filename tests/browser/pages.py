"""Small page helpers shared by the browser tests."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Locator, Page


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def main(page: Page) -> Locator:
    return page.get_by_role("main")


def fill_date(page: Page, legend: str, value: date) -> None:
    """Fills a GOV.UK date input: the Day, Month and Year boxes inside the fieldset named `legend`."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(value.day))
    group.get_by_label("Month").fill(str(value.month))
    group.get_by_label("Year").fill(str(value.year))


def choose_files(page: Page, label: str, *paths: str) -> None:
    """Chooses files in the design system's file upload named `label` as a person does: its "Choose file"
    button opens the browser's file chooser."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label(label).click()
    chooser.value.set_files(list(paths))
