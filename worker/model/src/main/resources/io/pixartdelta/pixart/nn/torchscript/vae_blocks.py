class VaeBlocks(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  # The SD-1.x VAE's blocks (diffusers UpDecoderBlock2D, DownEncoderBlock2D, UNetMidBlock2D) as
  # one method per block, so a decode costs a handful of native calls (see VaeBlockScript.java for
  # the parameter lists). Shapes: B batch, C channels, H x W spatial size, N = H W tokens.
  # GroupNorm is group_norm below: fp32 statistics for half inputs, like torch.group_norm.
  # Temporaries are fresh tensors, so SiLU and the residual add run in place (at 1024 px one
  # (1, 128, 1024, 1024) fp32 activation is 512 MiB).

  def up_block(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, resnets: int,
               shortcut: bool, upsample: bool, p: List[Tensor]) -> Tensor:
    # x (B, C_in, H, W) -> (B, C_out, 2H, 2W) with the upsampler, else (B, C_out, H, W)
    x = self.resnet_chain(x, groups, eps, resnets, shortcut, p)
    if upsample:
      # nearest x2 then 3x3 padding 1, as one transposed conv with the kernel of upsample_kernel:
      # the last two parameters. It never materialises the (B, C, 2H, 2W) repeated input (nor the
      # large cuDNN workspace of a 3x3 conv at 2H x 2W) and computes 16 instead of 36 products per
      # input pixel and channel pair.
      x = torch.conv_transpose2d(x, p[-2], p[-1], [2, 2], [1, 1], [0, 0], 1, [1, 1])
    return x

  def upsample_kernel(self: __torch__.VaeBlocks, w: Tensor) -> Tensor:
    # diffusers' Upsample2D (nearest x2, then a 3x3 conv with padding 1) as a transposed conv with
    # stride 2 and padding 1. Along one axis output row 2i sees input rows i-1, i, i through taps
    # w0, w1, w2 and row 2i+1 sees i, i, i+1; a transposed conv sends input row i to output row
    # 2i+k-1 through tap k, so its kernel is [w2, w1+w2, w0+w1, w0] on each axis (the zero padding
    # of the repeated image is the zero padding of the input). Taps are summed in fp32.
    # w (O, I, 3, 3) -> (I, O, 4, 4)
    f = w.float()
    r = torch.stack([torch.select(f, 2, 2), torch.select(f, 2, 1) + torch.select(f, 2, 2),
                     torch.select(f, 2, 0) + torch.select(f, 2, 1), torch.select(f, 2, 0)], 2)
    k = torch.stack([torch.select(r, 3, 2), torch.select(r, 3, 1) + torch.select(r, 3, 2),
                     torch.select(r, 3, 0) + torch.select(r, 3, 1), torch.select(r, 3, 0)], 3)
    return torch.transpose(k, 0, 1).contiguous().to(w.dtype)

  def down_block(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, resnets: int,
                 shortcut: bool, downsample: bool, p: List[Tensor]) -> Tensor:
    # x (B, C_in, H, W) -> (B, C_out, H/2, W/2) with the downsampler, else (B, C_out, H, W)
    x = self.resnet_chain(x, groups, eps, resnets, shortcut, p)
    if downsample:
      # zero pad (left 0, right 1, top 0, bottom 1), then 3x3 stride 2 without padding: the
      # last two parameters
      x = torch.constant_pad_nd(x, [0, 1, 0, 1], 0.0)
      x = torch.conv2d(x, p[-2], p[-1], [2, 2], [0, 0], [1, 1], 1)
    return x

  def mid_block(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, chunk: int,
                attention: bool, p: List[Tensor]) -> Tensor:
    # resnet -> single-head attention -> resnet, width C; x (B, C, H, W) -> (B, C, H, W)
    x = self.resnet(x, groups, eps, p, 0, False)
    j = 8
    if attention:
      x = self.attention(x, groups, eps, chunk, p, j)
      j = j + 10
    return self.resnet(x, groups, eps, p, j, False)

  def norm_silu_conv(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float,
                     norm_w: Tensor, norm_b: Tensor, conv_w: Tensor, conv_b: Tensor) -> Tensor:
    # conv_out(SiLU(conv_norm_out(x))), 3x3 padding 1: (B, C, H, W) -> (B, C_out, H, W)
    h = torch.silu_(self.group_norm(x, groups, norm_w, norm_b, eps))
    return torch.conv2d(h, conv_w, conv_b, [1, 1], [1, 1], [1, 1], 1)

  def group_norm(self: __torch__.VaeBlocks, x: Tensor, groups: int, w: Tensor, b: Tensor,
                 eps: float) -> Tensor:
    # torch.group_norm's result, (B, C, H, W) -> (B, C, H, W), computed so that few groups still
    # fill the GPU: libtorch's GroupNorm reduces each of the B * groups rows in one thread block
    # (32 blocks at batch 1: half of the decoder's time at 1024 px), where torch.sum and the vector
    # norm split long rows over many. Statistics in fp32 from the sums of x and x^2 (fp32
    # accumulation of the half input, no fp32 copy); then y = x * a + d with a = w / std and
    # d = b - mean * a per (sample, channel), in one pass (on CUDA the BatchNorm apply kernel, fp32
    # math with a half output).
    n = x.size(0)
    c = x.size(1)
    rows = torch.reshape(x, [n * groups, -1])  # (B * groups, C / groups * H * W)
    count = float(rows.size(1))
    mean = torch.sum(rows, [1], False, dtype=6) / count  # (B * groups,) fp32
    norm = torch.linalg_vector_norm(rows, 2.0, [1], False, dtype=6)
    var = torch.clamp_min(norm * norm / count - mean * mean, 0.0)
    inv = torch.rsqrt(var + eps)
    a = torch.reshape(w.float(), [1, groups, -1]) * torch.reshape(inv, [n, groups, 1])
    d = torch.reshape(b.float(), [1, groups, -1]) - torch.reshape(mean, [n, groups, 1]) * a
    if x.is_cuda:
      a = torch.reshape(a, [n * c])
      flat = torch.reshape(x, [1, n * c, -1])  # (1, B * C, H * W): one "channel" per (b, c)
      y = torch.batch_norm_elemt(flat, a, torch.reshape(d, [n * c]), torch.zeros_like(a),
                                 torch.ones_like(a), eps)
      return torch.reshape(y, x.size())
    return torch.addcmul(torch.reshape(d, [n, c, 1, 1]), x,
                         torch.reshape(a, [n, c, 1, 1])).to(x.dtype)

  def resnet_chain(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, resnets: int,
                   shortcut: bool, p: List[Tensor]) -> Tensor:
    # `resnets` resnets from p[0]; only the first may have a 1x1 shortcut
    j = 0
    for r in range(resnets):
      has_shortcut = shortcut and r == 0
      x = self.resnet(x, groups, eps, p, j, has_shortcut)
      if has_shortcut:
        j = j + 10
      else:
        j = j + 8
    return x

  def resnet(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, p: List[Tensor],
             i: int, shortcut: bool) -> Tensor:
    # ResnetBlock2D without time embedding, output_scale_factor 1:
    # skip(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))); p[i:i+8] = norm1 w, b, conv1 w, b,
    # norm2 w, b, conv2 w, b, then conv_shortcut w, b (1x1) when the width changes
    h = torch.silu_(self.group_norm(x, groups, p[i], p[i + 1], eps))
    h = torch.conv2d(h, p[i + 2], p[i + 3], [1, 1], [1, 1], [1, 1], 1)
    h = torch.silu_(self.group_norm(h, groups, p[i + 4], p[i + 5], eps))
    h = torch.conv2d(h, p[i + 6], p[i + 7], [1, 1], [1, 1], [1, 1], 1)
    if shortcut:
      return torch.add_(h, torch.conv2d(x, p[i + 8], p[i + 9], [1, 1], [0, 0], [1, 1], 1))
    return torch.add_(h, x)

  def attention(self: __torch__.VaeBlocks, x: Tensor, groups: int, eps: float, chunk: int,
                p: List[Tensor], i: int) -> Tensor:
    # Mid-block attention, one head of width C: GroupNorm, tokens (B, N, C), softmax(Q K^T /
    # sqrt(C)) V over `chunk` query rows at a time (SDPA never materialises more than
    # chunk x N scores), to_out, plus the un-normalised input (rescale factor 1).
    # p[i:i+10] = group_norm w, b, to_q w, b, to_k w, b, to_v w, b, to_out.0 w, b
    b = x.size(0)
    c = x.size(1)
    h = x.size(2)
    w = x.size(3)
    u = self.group_norm(x, groups, p[i], p[i + 1], eps)
    t = torch.transpose(torch.reshape(u, [b, c, h * w]), 1, 2)
    q = torch.unsqueeze(torch.linear(t, p[i + 2], p[i + 3]), 1)
    k = torch.unsqueeze(torch.linear(t, p[i + 4], p[i + 5]), 1)
    v = torch.unsqueeze(torch.linear(t, p[i + 6], p[i + 7]), 1)
    parts: List[Tensor] = []
    for part in torch.split(q, chunk, 2):
      parts.append(torch.scaled_dot_product_attention(part, k, v, None, 0.0, False))
    o = torch.reshape(torch.cat(parts, 2), [b, h * w, c])
    o = torch.linear(o, p[i + 8], p[i + 9])
    return x + torch.reshape(torch.transpose(o, 1, 2), [b, c, h, w])
