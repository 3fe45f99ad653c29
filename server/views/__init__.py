"""Request handlers, one module per area of the REST API; ``server.routes`` maps URLs to them."""
