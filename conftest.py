"""Shared test fixtures: a small coalition (Guatemala, Honduras, regional bodies) and one
standing user per role and country, as STYLE.md asks."""


pytest_plugins = ["corett.testing.fixtures", "corett.testing.browser"]
