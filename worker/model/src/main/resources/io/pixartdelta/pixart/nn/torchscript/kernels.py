class Kernels(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  # TorchScript source compiled by libtorch at load time (see TorchScriptKernels.java).
  # Every method keeps the input dtype for its output. For half inputs the fused kernels
  # accumulate statistics and softmax in fp32 internally, like the reference.
  def attention(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor,
                bias: Tensor, scale: float) -> Tensor:
    # softmax(q k^T scale + bias) v; bias broadcasts to (B, H, Nq, Nk)
    return torch.scaled_dot_product_attention(q, k, v, bias.to(q.dtype), 0.0, False, scale=scale)

  def attention_no_bias(self: __torch__.Kernels, q: Tensor, k: Tensor, v: Tensor,
                        scale: float) -> Tensor:
    return torch.scaled_dot_product_attention(q, k, v, None, 0.0, False, scale=scale)

  def layer_norm(self: __torch__.Kernels, x: Tensor, eps: float) -> Tensor:
    return torch.layer_norm(x, [x.size(-1)], None, None, eps)

  def group_norm(self: __torch__.Kernels, x: Tensor, groups: int, gamma: Tensor,
                 beta: Tensor, eps: float) -> Tensor:
    return torch.group_norm(x, groups, gamma.to(x.dtype), beta.to(x.dtype), eps)

  def rms_norm(self: __torch__.Kernels, x: Tensor, weight: Tensor, eps: float) -> Tensor:
    # T5LayerNorm: fp32 variance, no mean shift, back to the input dtype before the scale
    x32 = x.float()
    variance = torch.mean(x32 * x32, [-1], True)
    return (x32 * torch.rsqrt(variance + eps)).to(x.dtype) * weight.to(x.dtype)

  def gelu_tanh(self: __torch__.Kernels, x: Tensor) -> Tensor:
    return torch.gelu(x, approximate="tanh")
