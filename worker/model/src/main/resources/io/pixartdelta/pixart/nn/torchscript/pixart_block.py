class PixArtBlocks(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  # One PixArt-alpha transformer block (norm_type "ada_norm_single") as a single method, so a
  # forward pass costs one native call per block (see PixArtBlockScript.java for the argument
  # order). Shapes: B batch, N image tokens, L caption tokens, D hidden width.
  def pixart_block(self: __torch__.PixArtBlocks,
                   x: Tensor, mod: Tensor, y: Tensor, cross_bias: Tensor,
                   heads: int, eps: float,
                   scale_shift_table: Tensor,
                   q1_w: Tensor, q1_b: Tensor, k1_w: Tensor, k1_b: Tensor,
                   v1_w: Tensor, v1_b: Tensor, o1_w: Tensor, o1_b: Tensor,
                   q2_w: Tensor, q2_b: Tensor, k2_w: Tensor, k2_b: Tensor,
                   v2_w: Tensor, v2_b: Tensor, o2_w: Tensor, o2_b: Tensor,
                   ff1_w: Tensor, ff1_b: Tensor, ff2_w: Tensor, ff2_b: Tensor) -> Tensor:
    # x (B, N, D); mod (B, 6 D) or (B, 6, D); y (B, L, D) projected captions;
    # cross_bias additive, broadcastable to (B, heads, N, L), e.g. (B, 1, 1, L)
    b = x.size(0)
    d = x.size(2)
    rows = torch.unsqueeze(scale_shift_table, 0) + torch.reshape(mod, [b, 6, d])
    shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = torch.chunk(rows, 6, 1)
    u = torch.layer_norm(x, [d], None, None, eps) * (1.0 + scale_msa) + shift_msa
    x = x + gate_msa * self.attention(u, u, heads, q1_w, q1_b, k1_w, k1_b, v1_w, v1_b,
                                      o1_w, o1_b, None)
    # cross-attention: no norm, no modulation, no gate
    x = x + self.attention(x, y, heads, q2_w, q2_b, k2_w, k2_b, v2_w, v2_b, o2_w, o2_b,
                           cross_bias.to(x.dtype))
    v = torch.layer_norm(x, [d], None, None, eps) * (1.0 + scale_mlp) + shift_mlp
    if v.is_cuda:
      # bias + GELU-tanh in the GEMM's epilogue (cuBLASLt): one pass less over (B, N, 4 D)
      h = torch._addmm_activation(ff1_b, torch.reshape(v, [-1, d]), torch.t(ff1_w),
                                  beta=1, alpha=1, use_gelu=True)
      h = torch.reshape(h, [b, -1, h.size(1)])
    else:
      h = torch.gelu(torch.linear(v, ff1_w, ff1_b), approximate="tanh")
    return x + gate_mlp * torch.linear(h, ff2_w, ff2_b)

  def attention(self: __torch__.PixArtBlocks, queries: Tensor, context: Tensor, heads: int,
                q_w: Tensor, q_b: Tensor, k_w: Tensor, k_b: Tensor,
                v_w: Tensor, v_b: Tensor, o_w: Tensor, o_b: Tensor,
                bias: Optional[Tensor]) -> Tensor:
    b = queries.size(0)
    n = queries.size(1)
    m = context.size(1)
    q = torch.transpose(torch.reshape(torch.linear(queries, q_w, q_b), [b, n, heads, -1]), 1, 2)
    k = torch.transpose(torch.reshape(torch.linear(context, k_w, k_b), [b, m, heads, -1]), 1, 2)
    v = torch.transpose(torch.reshape(torch.linear(context, v_w, v_b), [b, m, heads, -1]), 1, 2)
    # (B, heads, N, D / heads); scale 1 / sqrt(D / heads)
    o = torch.scaled_dot_product_attention(q, k, v, bias, 0.0, False)
    return torch.linear(torch.reshape(torch.transpose(o, 1, 2), [b, n, -1]), o_w, o_b)
