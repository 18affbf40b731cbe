# frozen_string_literal: true

require_relative "helper"
require "fiddle"

class TestVersion < Minitest::Test
  # Pipc::VERSION is the loaded libpipc's pipc_version() (dlopen by soname finds the
  # copy the extension already loaded), never a second literal.
  def test_version_is_the_loaded_librarys
    pipc_version = Fiddle::Function.new(Fiddle.dlopen("libpipc.so.0")["pipc_version"], [],
                                        Fiddle::TYPE_VOIDP)
    assert_equal pipc_version.call.to_s, Pipc::VERSION
    assert_match(/\A\d+\.\d+\.\d+\z/, Pipc::VERSION)
    assert_predicate Pipc::VERSION, :frozen?
  end
end
