# Allocation churn for the ruby program workload: objects, hashes, arrays and strings built and dropped,
# generation after generation. usage: ruby churn.rb ROUNDS. Prints a checksum of what it built.
Item = Struct.new(:id, :name, :tags, :attrs)

rounds = (ARGV[0] || 10).to_i
state = 42
rand = lambda do |n|  # a small LCG: the same numbers on every machine and Ruby version
  state = (state * 1103515245 + 12345) % 2147483648
  state % n
end

checksum = 0
rounds.times do
  words = Array.new(20000) { |i| ((97 + rand.(26)).chr * (1 + rand.(40))) + i.to_s }
  items = Array.new(20000) do |i|
    Item.new(i, words[rand.(words.size)], Array.new(rand.(8)) { words[rand.(words.size)][0, 8] },
             { "w" => rand.(1000), "h" => rand.(1000), "label" => "item-#{i}" })
  end
  index = Hash.new { |h, k| h[k] = [] }
  items.each { |it| index[it.name[0, 3]] << it }
  sorted = items.sort_by { |it| [it.name, it.id] }
  text = sorted.each_slice(7).map { |slice| slice.first.name + slice.first.tags.join(",") }.join(";")
  replaced = text.gsub(/a+/) { |s| s.size.to_s }
  (0...replaced.size).step(97) { |i| checksum = (checksum * 31 + replaced.getbyte(i)) % 1_000_000_007 }
  checksum = (checksum + index.size * 7 + index.values.sum(&:size)) % 1_000_000_007
end
puts "rounds=#{rounds} checksum=#{checksum}"
