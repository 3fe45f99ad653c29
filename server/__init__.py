"""The newSSEM web node: REST API, the live-class socket.io namespace and the CLI."""
