"""The story in a web page: the same engine under Pyodide (CPython in WebAssembly).

bundle.py packs the Python a page needs (the engine without the terminal UI,
its pure-Python dependencies, the story); runtime.py gets the pinned Pyodide
runtime; bridge.py runs inside the page's Web Worker and turns a Session into
plain data for the front end in page/. game/tools/publish.py puts them together.
"""
