def pytest_configure(config):
    # Registered here too, so that this folder runs under --strict-markers before the lead adds
    # the marker to pyproject.toml.
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright")
