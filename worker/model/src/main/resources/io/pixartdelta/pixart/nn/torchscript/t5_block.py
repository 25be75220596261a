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
    return self.block(h, bias, heads, eps, ln1, q_w, k_w, v_w, o_w, ln2, wi0_w, wi1_w, wo_w)

  def t5_block_int8(self: __torch__.T5Blocks, h: Tensor, bias: Tensor, heads: int, eps: float,
                    ln1: Tensor, q_w: Tensor, q_s: Tensor, k_w: Tensor, k_s: Tensor,
                    v_w: Tensor, v_s: Tensor, o_w: Tensor, o_s: Tensor,
                    ln2: Tensor, wi0_w: Tensor, wi0_s: Tensor, wi1_w: Tensor, wi1_s: Tensor,
                    wo_w: Tensor, wo_s: Tensor) -> Tensor:
    # int8 (rows, cols) weights with (rows, 1) scales, dequantized here one layer at a time;
    # each temporary is freed as soon as its linear has run.
    return self.block(h, bias, heads, eps, ln1,
                      self.dequantize(q_w, q_s), self.dequantize(k_w, k_s),
                      self.dequantize(v_w, v_s), self.dequantize(o_w, o_s), ln2,
                      self.dequantize(wi0_w, wi0_s), self.dequantize(wi1_w, wi1_s),
                      self.dequantize(wo_w, wo_s))

  def dequantize(self: __torch__.T5Blocks, w: Tensor, s: Tensor) -> Tensor:
    return w.to(s.dtype) * s

  def rms_norm(self: __torch__.T5Blocks, x: Tensor, weight: Tensor, eps: float) -> Tensor:
    # x fp32 (the residual stream): fp32 variance, no mean shift
    variance = torch.mean(x * x, [-1], True)
    return x * torch.rsqrt(variance + eps) * weight

  def block(self: __torch__.T5Blocks, h: Tensor, bias: Tensor, heads: int, eps: float,
            ln1: Tensor, q_w: Tensor, k_w: Tensor, v_w: Tensor, o_w: Tensor,
            ln2: Tensor, wi0_w: Tensor, wi1_w: Tensor, wo_w: Tensor) -> Tensor:
    # h (B, L, D) fp32; bias (B or 1, H, L, L) additive: relative position + key-padding mask
    dtype = q_w.dtype
    b = h.size(0)
    n = h.size(1)
    a = self.rms_norm(h, ln1, eps).to(dtype)
    q = torch.transpose(torch.reshape(torch.linear(a, q_w), [b, n, heads, -1]), 1, 2)
    k = torch.transpose(torch.reshape(torch.linear(a, k_w), [b, n, heads, -1]), 1, 2)
    v = torch.transpose(torch.reshape(torch.linear(a, v_w), [b, n, heads, -1]), 1, 2)
    # T5 folds 1/sqrt(d) into its weights: scale 1
    o = torch.scaled_dot_product_attention(q, k, v, bias.to(dtype), 0.0, False, scale=1.0)
    h = h + torch.linear(torch.reshape(torch.transpose(o, 1, 2), [b, n, -1]), o_w).float()
    f = self.rms_norm(h, ln2, eps).to(dtype)
    gate = torch.linear(f, wi0_w).float()
    hidden = torch.gelu(gate, approximate="tanh") * torch.linear(f, wi1_w).float()
    return h + torch.linear(hidden, wo_w.float())
