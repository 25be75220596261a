"""GroupNorm + SiLU on the GPU at the SD-VAE decoder sizes (batch 8): libtorch's native group_norm + in-place SiLU
against statistics from batch_norm_stats with the affine + SiLU left to TorchScript's NNC fuser (fp32 or fp16 apply),
in NCHW and channels-last, alone and followed by the 3x3 convolution. Prints median ms (CUDA events) and the relative
L2 error against an fp32 reference. Also the project's own group_norm (vae_blocks.py: fp32 row sums split over many blocks, then one apply pass).
Usage: python3 worker/gpu/groupnorm-probe.py"""
import importlib.util, os, torch, statistics
from typing import List
spec = importlib.util.spec_from_file_location("tsblocks", os.path.join(os.path.dirname(__file__), "tsblocks.py"))
tsblocks = importlib.util.module_from_spec(spec); spec.loader.exec_module(tsblocks)
vae = tsblocks.load("VaeBlocks", "vae_blocks.py")  # the project's group_norm (split reductions)
torch.backends.cudnn.benchmark=False
dev='cuda'; h=torch.float16
@torch.jit.script
def native(x, w, b, g: int, eps: float):
    return torch.ops.aten.silu_(torch.group_norm(x, g, w, b, eps))
@torch.jit.script
def fused(x, w, b, g: int, eps: float):
    n = x.size(0); c = x.size(1)
    stats = torch.batch_norm_stats(torch.reshape(x, [1, n * g, -1]), eps)
    mean = torch.reshape(stats[0], [n, g, 1])
    inv = torch.reshape(stats[1], [n, g, 1])
    a = torch.reshape(w.float(), [1, g, c // g]) * inv  # (n, g, c/g)
    d = torch.reshape(b.float(), [1, g, c // g]) - mean * a
    a = torch.reshape(a, [n, c, 1, 1]); d = torch.reshape(d, [n, c, 1, 1])
    return torch.nn.functional.silu(x * a + d).to(x.dtype)
@torch.jit.script
def fused_norm_conv(x, w, b, cw, cb, g: int, eps: float):
    n = x.size(0); c = x.size(1)
    stats = torch.batch_norm_stats(torch.reshape(x, [1, n * g, -1]), eps)
    mean = torch.reshape(stats[0], [n, g, 1]); inv = torch.reshape(stats[1], [n, g, 1])
    a = torch.reshape(w.float(), [1, g, c // g]) * inv
    d = torch.reshape(b.float(), [1, g, c // g]) - mean * a
    a = torch.reshape(a, [n, c, 1, 1]); d = torch.reshape(d, [n, c, 1, 1])
    return torch.conv2d(torch.nn.functional.silu(x * a + d).to(x.dtype), cw, cb, [1, 1], [1, 1], [1, 1], 1)
@torch.jit.script
def native_norm_conv(x, w, b, cw, cb, g: int, eps: float):
    return torch.conv2d(torch.ops.aten.silu_(torch.group_norm(x, g, w, b, eps)), cw, cb, [1, 1], [1, 1], [1, 1], 1)
@torch.jit.script
def cl_fused_norm_conv(x, w, b, cw, cb, g: int, eps: float):
    # x channels-last (memory N H W C); stats per (n, group) over H W and the group's channels
    n = x.size(0); c = x.size(1)
    v = torch.reshape(torch.permute(x, [0, 2, 3, 1]), [n, -1, g, c // g])
    var, mean = torch.var_mean(v, [1, 3], correction=0, keepdim=False)  # (n, g) in x's dtype
    inv = torch.rsqrt(var.float() + eps)
    a = torch.reshape(w.float(), [1, g, c // g]) * torch.reshape(inv, [n, g, 1])
    d = torch.reshape(b.float(), [1, g, c // g]) - torch.reshape(mean.float(), [n, g, 1]) * a
    a = torch.reshape(a, [n, c, 1, 1]); d = torch.reshape(d, [n, c, 1, 1])
    return torch.conv2d(torch.nn.functional.silu(x * a + d).to(x.dtype), cw, cb, [1, 1], [1, 1], [1, 1], 1)
@torch.jit.script
def cl_fused(x, w, b, g: int, eps: float):
    n = x.size(0); c = x.size(1)
    v = torch.reshape(torch.permute(x, [0, 2, 3, 1]), [n, -1, g, c // g])
    var, mean = torch.var_mean(v, [1, 3], correction=0, keepdim=False)
    inv = torch.rsqrt(var.float() + eps)
    a = torch.reshape(w.float(), [1, g, c // g]) * torch.reshape(inv, [n, g, 1])
    d = torch.reshape(b.float(), [1, g, c // g]) - torch.reshape(mean.float(), [n, g, 1]) * a
    a = torch.reshape(a, [n, c, 1, 1]); d = torch.reshape(d, [n, c, 1, 1])
    return torch.nn.functional.silu(x * a + d).to(x.dtype)
@torch.jit.script
def fused_h(x, w, b, g: int, eps: float):
    n = x.size(0); c = x.size(1)
    stats = torch.batch_norm_stats(torch.reshape(x, [1, n * g, -1]), eps)
    mean = torch.reshape(stats[0], [n, g, 1])
    inv = torch.reshape(stats[1], [n, g, 1])
    a = torch.reshape(w.float(), [1, g, c // g]) * inv
    d = torch.reshape(b.float(), [1, g, c // g]) - mean * a
    a = torch.reshape(a, [n, c, 1, 1]).to(x.dtype); d = torch.reshape(d, [n, c, 1, 1]).to(x.dtype)
    return torch.nn.functional.silu(x * a + d)
def timed(fn, iters=10):
    for _ in range(5): fn()
    torch.cuda.synchronize(); ts=[]
    for _ in range(iters):
        s,e=torch.cuda.Event(enable_timing=True),torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    return statistics.median(ts)
print(torch.cuda.get_device_name(), torch.__version__, "texpr", torch._C._jit_texpr_fuser_enabled(), torch._C._jit_can_fuse_on_gpu())
with torch.inference_mode():
  for B,C,H in [(8,512,128),(8,512,256),(8,256,512),(8,128,1024),(1,256,1024),(1,128,1024),(1,512,256)]:
    x=(torch.randn(B,C,H,H,device=dev)*3+1).to(h); w=(torch.randn(C,device=dev)).to(h); b=(torch.randn(C,device=dev)*0.1).to(h)
    cw=(torch.randn(C,C,3,3,device=dev)*0.02).to(h); cb=torch.zeros(C,device=dev,dtype=h)
    ref=torch.nn.functional.silu(torch.nn.functional.group_norm(x.float(),32,w.float(),b.float(),1e-6))
    tn=timed(lambda: native(x,w,b,32,1e-6)); tf=timed(lambda: fused(x,w,b,32,1e-6))
    en=(native(x,w,b,32,1e-6).float()-ref).norm()/ref.norm(); ef=(fused(x,w,b,32,1e-6).float()-ref).norm()/ref.norm()
    tnc=timed(lambda: native_norm_conv(x,w,b,cw,cb,32,1e-6)); tfc=timed(lambda: fused_norm_conv(x,w,b,cw,cb,32,1e-6))
    xc=x.contiguous(memory_format=torch.channels_last); cwc=cw.contiguous(memory_format=torch.channels_last)
    tcl=timed(lambda: cl_fused(xc,w,b,32,1e-6)); ecl=(cl_fused(xc,w,b,32,1e-6).float()-ref).norm()/ref.norm()
    tclc=timed(lambda: cl_fused_norm_conv(xc,w,b,cwc,cb,32,1e-6)); tcln=timed(lambda: native_norm_conv(xc,w,b,cwc,cb,32,1e-6))
    print(f"   channels-last: fused GN+SiLU {tcl:.3f} ms relL2 {ecl:.1e}, out contiguous-cl {cl_fused(xc,w,b,32,1e-6).is_contiguous(memory_format=torch.channels_last)} | +conv fused {tclc:.3f} native {tcln:.3f}")
    ts=timed(lambda: torch.ops.aten.silu_(vae.group_norm(x,32,w,b,1e-6))); es=(torch.ops.aten.silu_(vae.group_norm(x,32,w,b,1e-6)).float()-ref).norm()/ref.norm()
    print(f"   vae_blocks.group_norm (split reductions) + silu_: {ts:.3f} ms relL2 {es:.1e}")
    th=timed(lambda: fused_h(x,w,b,32,1e-6)); eh=(fused_h(x,w,b,32,1e-6).float()-ref).norm()/ref.norm()
    print(f"   half apply: {th:.3f} ms relL2 {eh:.1e}")
    print(f"({B},{C},{H},{H}) GN+SiLU native {tn:.3f} ms relL2 {en:.1e} | batch_norm_stats+fused {tf:.3f} ms relL2 {ef:.1e} | +conv: native {tnc:.3f} fused {tfc:.3f}")
