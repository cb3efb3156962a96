module {
  func.func @decode(%x: tensor<1x1x1x4xf32> {ag.name = "x"}, %pos: tensor<i64> {ag.name = "position"}, %kc: tensor<1x1x8x4xf32> {ag.state = "cache"}) -> (tensor<1x1x8x4xf32> {ag.name = "old"}, tensor<1x1x8x4xf32> {ag.state = "cache"}) {
    %w = ag.kv_cache_write %x into %kc at %pos : tensor<1x1x1x4xf32>, tensor<1x1x8x4xf32>, tensor<i64>
    %e = ag.exp %kc : tensor<1x1x8x4xf32>
    return %e, %w : tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>
  }
}
