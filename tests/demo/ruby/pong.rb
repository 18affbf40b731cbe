# frozen_string_literal: true

# The pong side of the message-queue ping-pong, in Ruby: waits for pings with IO.select on
# the queue's descriptor (as one would among other IOs), answers each on the pong queue.
#   pong.rb PING PONG ROUNDS
require "pipc"

Posix = Pipc::Posix

rounds = Integer(ARGV[2], exception: false)
unless ARGV.size == 3 && rounds&.positive?
  warn "usage: #{File.basename($PROGRAM_NAME)} PING PONG ROUNDS"
  exit 2
end
ping_name, pong_name = ARGV

Posix::MessageQueue.open(ping_name) do |ping|
  Posix::MessageQueue.open(pong_name) do |pong|
    1.upto(rounds) do |i|
      abort "IO.select: no ping within 30 s" unless IO.select([ping.to_io], nil, nil, 30)
      message, = ping.receive(timeout: 0)
      puts %(IO.select says the queue is readable: "#{message}")
      pong.send("pong #{i} from Ruby", timeout: 0)
    end
  end
end
