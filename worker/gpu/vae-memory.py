"""Where the VAE decoder's GPU memory and time go at 1024 px, batch 1, fp16: the caching allocator's
peak of allocated bytes above what was allocated before each call, for the whole decode and for each
block call the Java decoder makes, with the up-samplers as the project's transposed convolution
(vae_blocks.py) and as diffusers computes them (nearest x2, then a 3x3 convolution), and with cuDNN off
(to tell convolution workspaces from activations). Random weights of the real SD-VAE sizes; the
project's own TorchScript source, loaded the way TorchScriptArchive.java packs it.
Usage: python3 worker/gpu/vae-memory.py [--size 1024] [--batch 1]"""
import argparse, importlib.util, os, statistics, torch
import torch.nn.functional as F

spec = importlib.util.spec_from_file_location("tsblocks", os.path.join(os.path.dirname(__file__), "tsblocks.py"))
tsblocks = importlib.util.module_from_spec(spec); spec.loader.exec_module(tsblocks)

ap = argparse.ArgumentParser(); ap.add_argument("--size", type=int, default=1024)
ap.add_argument("--batch", type=int, default=1); a = ap.parse_args()
dev, h, MiB = "cuda", torch.float16, 1 << 20
g = torch.Generator(device=dev).manual_seed(0)
def rnd(*shape, s=0.02):
    return (torch.randn(*shape, device=dev, generator=g) * s).to(h)
vae = tsblocks.load("VaeBlocks", "vae_blocks.py")
def resnet(cin, cout):
    p = [rnd(cin, s=1.0), rnd(cin), rnd(cout, cin, 3, 3), rnd(cout), rnd(cout, s=1.0), rnd(cout), rnd(cout, cout, 3, 3), rnd(cout)]
    return p + ([rnd(cout, cin, 1, 1), rnd(cout)] if cin != cout else [])
mid = resnet(512, 512) + [rnd(512, s=1.0), rnd(512)] + sum([[rnd(512, 512), rnd(512)] for _ in range(4)], []) + resnet(512, 512)
ups = []  # (shortcut, upsample, resnet params, 3x3 up-sampler weight and bias)
for cin, cout, up in [(512, 512, True), (512, 512, True), (512, 256, True), (256, 128, False)]:
    ups.append((cin != cout, up, resnet(cin, cout) + resnet(cout, cout) + resnet(cout, cout),
                [rnd(cout, cout, 3, 3), rnd(cout)] if up else []))
out_p = [rnd(128, s=1.0), rnd(128), rnd(3, 128, 3, 3), rnd(3)]
lat = a.size // 8
z = rnd(a.batch, 512, lat, lat, s=1.0)

def up_block(t, i, transposed):
    shortcut, up, p, sampler = ups[i]
    if not up:
        return vae.up_block(t, 32, 1e-6, 3, shortcut, False, p)
    if transposed:
        return vae.up_block(t, 32, 1e-6, 3, shortcut, True, p + [vae.upsample_kernel(sampler[0]), sampler[1]])
    t = vae.resnet_chain(t, 32, 1e-6, 3, shortcut, p)
    return F.conv2d(F.interpolate(t, scale_factor=2.0, mode="nearest"), sampler[0], sampler[1], padding=1)

def decode(transposed):
    t = vae.mid_block(z, 32, 1e-6, 1 << 30, True, mid)
    for i in range(4):
        t = up_block(t, i, transposed)
    return vae.norm_silu_conv(t, 32, 1e-6, *out_p)

def peak(label, fn):
    """Runs fn twice (the first run picks cuDNN algorithms); reports the second run's peak over the start."""
    fn(); torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    out = fn(); torch.cuda.synchronize()
    print(f"| {label} | {(torch.cuda.max_memory_allocated() - base) / MiB:.0f} MiB |")
    return out

def timed(fn, iters=10):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    return statistics.median(ts), min(ts)

print(f"# {torch.cuda.get_device_name()}, torch {torch.__version__}, VAE decode {a.size} px batch {a.batch} fp16")
with torch.inference_mode():
    ref = decode(False); new = decode(True)
    rel = ((new.float() - ref.float()).norm() / ref.float().norm()).item()
    print(f"transposed vs diffusers' up-samplers: relative L2 of the decoded image {rel:.2e}")
    for transposed in [True, False]:
        med, mn = timed(lambda: decode(transposed))
        print(f"decode, up-samplers {'transposed' if transposed else 'nearest x2 + 3x3'}: median {med:.2f} ms (min {mn:.2f})")
    print("\n| call (peak above the memory allocated before it) | peak |\n|---|---|")
    for transposed in [True, False]:
        for cudnn in [True, False]:
            torch.backends.cudnn.enabled = cudnn
            tag = (" transposed" if transposed else " nearest+3x3") + ("" if cudnn else ", cuDNN off")
            peak("whole decode" + tag, lambda: decode(transposed))
            t = peak("mid block" + tag, lambda: vae.mid_block(z, 32, 1e-6, 1 << 30, True, mid))
            for i in range(4):
                t = peak(f"up block {i} (input {tuple(t.shape)})" + tag, lambda: up_block(t, i, transposed))
            peak("norm + SiLU + conv_out" + tag, lambda: vae.norm_silu_conv(t, 32, 1e-6, *out_p))
        torch.backends.cudnn.enabled = True
