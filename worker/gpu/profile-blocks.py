"""Profiles the project's own TorchScript blocks (the .py sources that DJL compiles) at the real
PixArt-XL / SD-VAE sizes on the GPU, with the same libtorch: one transformer forward (28 blocks) and
one VAE decode (mid block, 4 up blocks, output conv) at batch B. Prints the median time of whole
passes (CUDA events) and the torch.profiler kernel table, so the Java pipeline's stage timings can
be split into GPU kernel time and host overhead.
Usage: python3 worker/gpu/profile-blocks.py [--batch 8] [--rows 25]"""
import argparse, importlib.util, os, statistics, sys, torch

spec = importlib.util.spec_from_file_location("tsblocks", os.path.join(os.path.dirname(__file__), "tsblocks.py"))
tsblocks = importlib.util.module_from_spec(spec); spec.loader.exec_module(tsblocks)
load = tsblocks.load

def timed(fn, warmup=3, iters=10):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize(); ts.append(a.elapsed_time(b))
    return statistics.median(ts), min(ts)

def profile(label, fn, rows):
    from torch.profiler import profile as prof, ProfilerActivity
    with prof(activities=[ProfilerActivity.CUDA]) as p:
        fn(); torch.cuda.synchronize()
    total = sum(e.device_time_total for e in p.key_averages()) / 1000
    print(f"\n#### {label}: kernel time {total:.1f} ms\n```")
    print(p.key_averages().table(sort_by="cuda_time_total", row_limit=rows))
    print("```")

ap = argparse.ArgumentParser(); ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--rows", type=int, default=22); a = ap.parse_args()
B, h, dev = a.batch, torch.float16, "cuda"
g = torch.Generator(device=dev).manual_seed(0)
def rnd(*shape, s=0.02):
    return (torch.randn(*shape, device=dev, generator=g) * s).to(h)
print(f"# {torch.cuda.get_device_name()}, torch {torch.__version__}, batch {B}, fp16")
with torch.inference_mode():
    # GELU epilogue: which GELU does _addmm_activation compute on CUDA? (fp32, TF32 off)
    x = torch.randn(512, 256, device=dev); w = torch.randn(384, 256, device=dev) * 0.1; bb = torch.randn(384, device=dev)
    fused = torch._addmm_activation(bb, x, w.t(), use_gelu=True)
    lin = torch.nn.functional.linear(x, w, bb)
    for ap_ in ["tanh", "none"]:
        ref = torch.nn.functional.gelu(lin, approximate=ap_)
        print(f"_addmm_activation(gelu) vs gelu(approximate={ap_!r}): max abs {(fused - ref).abs().max().item():.2e}")
    # Transformer: 28 blocks.
    pix = load("PixArtBlocks", "pixart_block.py")
    D, F, L, N = 1152, 4608, 120, 4096
    blocks = [[rnd(6, D, s=0.5)] + sum([[rnd(D, D), rnd(D)] for _ in range(8)], []) + [rnd(F, D), rnd(F), rnd(D, F), rnd(D)]
              for _ in range(28)]
    xs, mod, y = rnd(B, N, D, s=1.0), rnd(B, 6 * D, s=0.5), rnd(B, L, D, s=1.0)
    keep = (torch.arange(L, device=dev) < 20).to(h)
    bias = ((1 - keep) * -10000.0).reshape(1, 1, 1, L).expand(B, 1, 1, L).contiguous()
    def forward():
        t = xs
        for p in blocks:
            t = pix.pixart_block(t, mod, y, bias, 16, 1e-6, *p)
        return t
    med, mn = timed(forward)
    print(f"transformer forward (28 blocks, script calls from Python) b{B}: median {med:.2f} ms (min {mn:.2f}), {med / B:.2f} ms/img")
    profile(f"transformer forward b{B}", forward, a.rows)
    del blocks, xs
    torch.cuda.empty_cache()
    # VAE decoder: mid block, up blocks 512->512 (x2 up), 512->512 (x2 up), 512->256 (x2 up), 256->128.
    vae = load("VaeBlocks", "vae_blocks.py")
    def resnet(cin, cout):
        p = [rnd(cin, s=1.0), rnd(cin), rnd(cout, cin, 3, 3), rnd(cout), rnd(cout, s=1.0), rnd(cout), rnd(cout, cout, 3, 3), rnd(cout)]
        return p + ([rnd(cout, cin, 1, 1), rnd(cout)] if cin != cout else [])
    mid = resnet(512, 512) + [rnd(512, s=1.0), rnd(512)] + sum([[rnd(512, 512), rnd(512)] for _ in range(4)], []) + resnet(512, 512)
    ups = []
    for cin, cout, up in [(512, 512, True), (512, 512, True), (512, 256, True), (256, 128, False)]:
        p = resnet(cin, cout) + resnet(cout, cout) + resnet(cout, cout)
        ups.append((cin != cout, up, p + ([vae.upsample_kernel(rnd(cout, cout, 3, 3)), rnd(cout)] if up else [])))
    out_p = [rnd(128, s=1.0), rnd(128), rnd(3, 128, 3, 3), rnd(3)]
    z = rnd(B, 512, 128, 128, s=1.0)
    def decode():
        t = vae.mid_block(z, 32, 1e-6, 1 << 30, True, mid)
        for shortcut, up, p in ups:
            t = vae.up_block(t, 32, 1e-6, 3, shortcut, up, p)
        return vae.norm_silu_conv(t, 32, 1e-6, *out_p)
    med, mn = timed(decode, 2, 5)
    print(f"VAE decode blocks b{B}: median {med:.2f} ms (min {mn:.2f}), {med / B:.2f} ms/img")
    profile(f"VAE decode b{B}", decode, a.rows)
