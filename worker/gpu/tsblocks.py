"""Loads the project's own TorchScript block sources (the .py files DJL compiles) in Python, packed the
way TorchScriptArchive.java packs them, so GPU scripts here run exactly the code the Java pipeline runs."""
import io, os, zipfile, torch

SRC = os.path.join(os.path.dirname(__file__), "..", "model", "src", "main", "resources", "io", "pixartdelta",
                   "pixart", "nn", "torchscript")

def load(cls, name):
    """The archive TorchScriptArchive.java writes: source + a pickled empty module, stored."""
    pkl = (b"\x80\x02c__torch__\n" + cls.encode() + b"\n)\x81}(X" + (8).to_bytes(4, "little")
           + b"training\x89ub.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{cls}/version", "10\n")
        z.writestr(f"{cls}/code/__torch__.py", open(os.path.join(SRC, name)).read())
        z.writestr(f"{cls}/data.pkl", pkl)
        z.writestr(f"{cls}/constants.pkl", b"\x80\x02).")
    buf.seek(0)
    return torch.jit.load(buf, map_location="cuda")
