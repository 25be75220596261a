"""Kernel choices for the project's TorchScript blocks, timed on the GPU with the libtorch that DJL
runs there (python3's torch): attention backends at PixArt's shapes, GEMM+GELU epilogue, the VAE
decoder in NCHW vs channels_last. Prints one line per measurement (median of CUDA-event timings).
Usage: python3 worker/gpu/kernel-probe.py [--vae-src DIR_WITH_diffusers_src]"""
import argparse, sys, statistics, torch
import torch.nn.functional as F

def bench(fn, warmup=5, iters=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); torch.cuda.synchronize()
        ts.append(a.elapsed_time(b))
    return statistics.median(ts)

def rel(a, b):
    return ((a.float() - b.float()).norm() / b.float().norm()).item()

ap = argparse.ArgumentParser(); ap.add_argument("--vae-src"); args = ap.parse_args()
dev, h = "cuda", torch.float16
torch.manual_seed(0)
print(f"# {torch.cuda.get_device_name()} torch {torch.__version__} cudnn {torch.backends.cudnn.version()}")
from torch.nn.attention import sdpa_kernel, SDPBackend
for name, (b, nq, nk, mask) in {"self b8": (8, 4096, 4096, False), "self b1": (1, 4096, 4096, False),
                                "cross b8 masked": (8, 4096, 120, True)}.items():
    q = torch.randn(b, 16, nq, 72, device=dev, dtype=h)
    k = torch.randn(b, 16, nk, 72, device=dev, dtype=h); v = torch.randn_like(k)
    bias = None
    if mask:
        keep = (torch.arange(nk, device=dev) < 20).to(h)
        bias = ((1 - keep) * -10000.0).reshape(1, 1, 1, nk).expand(b, 1, 1, nk).to(h)
    ref = F.scaled_dot_product_attention(q.float(), k.float(), v.float(), bias.float() if bias is not None else None)
    for be in [None, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION, SDPBackend.MATH]:
        try:
            if be is None:
                f = lambda: F.scaled_dot_product_attention(q, k, v, bias)
            else:
                def f(be=be):
                    with sdpa_kernel(be):
                        return F.scaled_dot_product_attention(q, k, v, bias)
            out = f()
            print(f"attn {name:16s} {str(be):32s} {bench(f):8.3f} ms  relerr {rel(out, ref):.2e}")
        except Exception as e:
            print(f"attn {name:16s} {str(be):32s} unavailable: {str(e).splitlines()[0][:80]}")
# GEMM + tanh-GELU: separate vs cuBLASLt epilogue
x = torch.randn(8 * 4096, 1152, device=dev, dtype=h); w = torch.randn(4608, 1152, device=dev, dtype=h) * 0.03
bb = torch.randn(4608, device=dev, dtype=h) * 0.1
sep = lambda: F.gelu(F.linear(x, w, bb), approximate="tanh")
fused = lambda: torch._addmm_activation(bb, x, w.t(), use_gelu=True)
print(f"ff1 b8 linear+gelu_tanh {bench(sep):.3f} ms; _addmm_activation(gelu) {bench(fused):.3f} ms; relerr {rel(fused(), sep()):.2e}")
lin = lambda: F.linear(x, w, bb)
print(f"ff1 b8 linear only {bench(lin):.3f} ms")
# fused qkv vs three linears
wq = [torch.randn(1152, 1152, device=dev, dtype=h) * 0.03 for _ in range(3)]; wqkv = torch.cat(wq, 0)
three = lambda: [F.linear(x, wi) for wi in wq]
one = lambda: F.linear(x, wqkv).chunk(3, -1)
print(f"qkv b8 three linears {bench(three):.3f} ms; one linear {bench(one):.3f} ms")
# channels_last GroupNorm / conv
t = torch.randn(8, 256, 512, 512, device=dev, dtype=h); gw = torch.ones(256, device=dev, dtype=h); gb = torch.zeros_like(gw)
cw = torch.randn(256, 256, 3, 3, device=dev, dtype=h) * 0.02
tcl = t.contiguous(memory_format=torch.channels_last); cwcl = cw.contiguous(memory_format=torch.channels_last)
print(f"groupnorm b8 256x512^2 nchw {bench(lambda: F.group_norm(t, 32, gw, gb)):.3f} ms; channels_last {bench(lambda: F.group_norm(tcl, 32, gw, gb)):.3f} ms"
      f" (out channels_last: {F.group_norm(tcl, 32, gw, gb).is_contiguous(memory_format=torch.channels_last)})")
for bm in [False, True]:
    torch.backends.cudnn.benchmark = bm
    print(f"conv3x3 b8 256x512^2 benchmark={bm}: nchw {bench(lambda: F.conv2d(t, cw, None, 1, 1)):.3f} ms; "
          f"channels_last {bench(lambda: F.conv2d(tcl, cwcl, None, 1, 1)):.3f} ms")
torch.backends.cudnn.benchmark = False
# TorchScript spelling of what we would use
@torch.jit.script
def probe(x: torch.Tensor, q: torch.Tensor):
    y = x.contiguous(memory_format=torch.channels_last)
    return y, torch._addmm_activation(q[0], q, q.t(), use_gelu=True)
print(probe.code)
del t, tcl, x
if args.vae_src:
    sys.path.insert(0, args.vae_src)
    from diffusers import AutoencoderKL
    cfg = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
               up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(128, 256, 512, 512),
               layers_per_block=2, act_fn="silu", latent_channels=4, norm_num_groups=32, sample_size=256)
    vae = AutoencoderKL(**cfg).to(dev, h).eval()
    for b in [1, 8]:
        z = torch.randn(b, 4, 128, 128, device=dev, dtype=h)
        with torch.inference_mode():
            ref = vae.decode(z).sample
            print(f"vae b{b} nchw {bench(lambda: vae.decode(z), 2, 5) / b:.2f} ms/img")
            vae_cl = vae.to(memory_format=torch.channels_last)
            zc = z.contiguous(memory_format=torch.channels_last)
            out = vae_cl.decode(zc).sample
            print(f"vae b{b} channels_last {bench(lambda: vae_cl.decode(zc), 2, 5) / b:.2f} ms/img relerr {rel(out, ref):.2e}")
            torch.backends.cudnn.benchmark = True
            print(f"vae b{b} channels_last+benchmark {bench(lambda: vae_cl.decode(zc), 2, 5) / b:.2f} ms/img")
            torch.backends.cudnn.benchmark = False
            vae = vae_cl.to(memory_format=torch.contiguous_format)
