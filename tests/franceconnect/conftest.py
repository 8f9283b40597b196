from tests.franceconnect.fixtures import fc_provider, fc_settings, pc_provider, pc_settings  # noqa: F401
