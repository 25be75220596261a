/**
 * Fused kernels and whole blocks as TorchScript methods that the project writes itself: source text
 * under {@code src/main/resources} is packed into an in-memory TorchScript archive ({@link
 * io.pixartdelta.pixart.nn.torchscript.TorchScriptArchive}), compiled by libtorch when loaded
 * through DJL ({@link io.pixartdelta.pixart.nn.torchscript.TorchScriptModule}), and called with DJL
 * arrays. This reaches operators DJL's NDArray API lacks (scaled-dot-product attention, group norm,
 * tanh-GELU) and removes DJL's per-op host overhead: one native call per block instead of dozens of
 * NDArray ops (docs/performance-notes.md).
 *
 * <h2>Adding a fused block for a model</h2>
 *
 * <ol>
 *   <li>Write {@code <name>.py} next to the model class in {@code src/main/resources}: one {@code
 *       class <Name>(Module):} with the header lines {@code __parameters__ = []}, {@code
 *       __buffers__ = []}, {@code training : bool} (exactly these attributes: the module is
 *       parameterless) and one method per block, e.g. {@code def t5_block(self: __torch__.<Name>,
 *       x: Tensor, bias: Tensor, eps: float, q_w: Tensor, ...) -> Tensor:}. Every argument and the
 *       return need a type; helper methods on {@code self} and {@code Optional[Tensor]} arguments
 *       are fine inside the script.
 *   <li>The source is TorchScript as {@code torch.jit.save} prints it, not Python: call operators
 *       as {@code torch.<aten op>} ({@code torch.linear}, {@code torch.layer_norm}, {@code
 *       torch.scaled_dot_product_attention}, {@code torch.gelu(x, approximate="tanh")}); {@code
 *       torch.nn.functional} and dtype constants such as {@code torch.float32} do not resolve (use
 *       {@code x.float()}, {@code y.to(x.dtype)}). Comments must be ASCII.
 *   <li>Pass weights as tensor arguments, activation first (results join the first array's manager;
 *       weights live in capped managers). Keep the dtype policy of the reference inside the script
 *       (fp32 statistics for half inputs where it matters).
 *   <li>Load it once per model: {@code TorchScriptModule.load("<Name>",
 *       TorchScriptModule.resource(MyModel.class, "<name>.py"), modelManager)} and call {@code
 *       module.call("t5_block", x, bias, 1e-6, q, ...)} inside the model's forward scope. {@link
 *       io.pixartdelta.pixart.nn.torchscript.PixArtBlockScript} is the worked example.
 *   <li>Keep the readable NDArray version of the block and test both against the fixtures.
 * </ol>
 */
package io.pixartdelta.pixart.nn.torchscript;
