from tests.franceconnect.fixtures import fc_provider, fc_settings  # noqa: F401
