class T5Blocks(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  # One T5 v1.1 encoder block (pre-norm self-attention + pre-norm gated tanh-GELU feed-forward,
  # both residual) as a single method, so an encoder pass costs one native call per block (see
  # T5BlockScript.java for the argument order). Shapes: B batch, L tokens, D d_model, F d_ff.
  # Precision plan: residual stream, RMS norms, gated product and wo in fp32; q, k, v, o, wi_0,
  # wi_1 in the compute type (the type of q's weight, or of its scales when int8).
  def t5_block(self: __torch__.T5Blocks, h: Tensor, bias: Tensor, heads: int, eps: float,
               ln1: Tensor, q_w: Tensor, k_w: Tensor, v_w: Tensor, o_w: Tensor,
               ln2: Tensor, wi0_w: Tensor, wi1_w: Tensor, wo_w: Tensor) -> Tensor:
    return self.block(h, bias, heads, eps, ln1, q_w, None, k_w, None, v_w, None, o_w, None,
                      ln2, wi0_w, None, wi1_w, None, wo_w, None)

  def t5_block_int8(self: __torch__.T5Blocks, h: Tensor, bias: Tensor, heads: int, eps: float,
                    ln1: Tensor, q_w: Tensor, q_s: Tensor, k_w: Tensor, k_s: Tensor,
                    v_w: Tensor, v_s: Tensor, o_w: Tensor, o_s: Tensor,
                    ln2: Tensor, wi0_w: Tensor, wi0_s: Tensor, wi1_w: Tensor, wi1_s: Tensor,
                    wo_w: Tensor, wo_s: Tensor) -> Tensor:
    # int8 (rows, cols) weights with (rows, 1) scales, dequantized one linear at a time, right
    # before it runs: at most one dequantized matrix exists at once.
    return self.block(h, bias, heads, eps, ln1, q_w, q_s, k_w, k_s, v_w, v_s, o_w, o_s,
                      ln2, wi0_w, wi0_s, wi1_w, wi1_s, wo_w, wo_s)

  def linear(self: __torch__.T5Blocks, x: Tensor, w: Tensor, s: Optional[Tensor]) -> Tensor:
    # y = x W^T, with W = int8 values times per-row scales when s is given
    if s is None:
      return torch.linear(x, w.to(x.dtype))
    return torch.linear(x, (w.to(s.dtype) * s).to(x.dtype))

  def rms_norm(self: __torch__.T5Blocks, x: Tensor, weight: Tensor, eps: float) -> Tensor:
    # x fp32 (the residual stream): fp32 variance, no mean shift
    variance = torch.mean(x * x, [-1], True)
    return x * torch.rsqrt(variance + eps) * weight

  def block(self: __torch__.T5Blocks, h: Tensor, bias: Tensor, heads: int, eps: float,
            ln1: Tensor, q_w: Tensor, q_s: Optional[Tensor], k_w: Tensor, k_s: Optional[Tensor],
            v_w: Tensor, v_s: Optional[Tensor], o_w: Tensor, o_s: Optional[Tensor],
            ln2: Tensor, wi0_w: Tensor, wi0_s: Optional[Tensor], wi1_w: Tensor,
            wi1_s: Optional[Tensor], wo_w: Tensor, wo_s: Optional[Tensor]) -> Tensor:
    # h (B, L, D) fp32; bias (B or 1, H, L, L) additive: relative position + key-padding mask
    dtype = q_w.dtype
    if q_s is not None:
      dtype = q_s.dtype
    b = h.size(0)
    n = h.size(1)
    a = self.rms_norm(h, ln1, eps).to(dtype)
    q = torch.transpose(torch.reshape(self.linear(a, q_w, q_s), [b, n, heads, -1]), 1, 2)
    k = torch.transpose(torch.reshape(self.linear(a, k_w, k_s), [b, n, heads, -1]), 1, 2)
    v = torch.transpose(torch.reshape(self.linear(a, v_w, v_s), [b, n, heads, -1]), 1, 2)
    # T5 folds 1/sqrt(d) into its weights: scale 1
    o = torch.scaled_dot_product_attention(q, k, v, bias.to(dtype), 0.0, False, scale=1.0)
    o = torch.reshape(torch.transpose(o, 1, 2), [b, n, -1])
    h = h + self.linear(o, o_w, o_s).float()
    f = self.rms_norm(h, ln2, eps).to(dtype)
    gate = self.linear(f, wi0_w, wi0_s).float()
    hidden = torch.gelu(gate, approximate="tanh") * self.linear(f, wi1_w, wi1_s).float()
    return h + self.linear(hidden, wo_w, wo_s)
