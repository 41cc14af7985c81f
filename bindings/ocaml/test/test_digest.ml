(* SPDX-License-Identifier: MIT *)
(* Description: the schema digest through the OCaml binding.
   [Bus.create ~digest] takes exactly [Bus.digest_len] bytes (else
   Invalid_argument, and no bus).  Over the shared-memory ring, this
   process subscribes with the trading schema's digest; a child process
   (this executable re-run) whose bus has another digest gets
   [Error (Errors.digest, _)] from [Subscriber.create] and from a lossless
   send, nothing reaching the ring, and a child with the same digest
   publishes messages that all arrive in order.  A bus from a topology with
   the schema carries the schema's digest the same way.  Over TCP, buses
   with one digest link and [net_error] stays [None]; a dialler with
   another digest is refused and [net_error] reports [Errors.digest] with
   "we refused peer ..." / "rejected by peer ..." on each side; [net_error]
   without any net raises ENOENT.  Nothing is left in /dev/shm. *)

open Mycelium

let enoent = Errors.enoent
let n = 20
let other_digest = String.make Bus.digest_len '\000'

let expect_error code f =
  match f () with
  | _ -> Alcotest.failf "expected Mycelium.Error %d" code
  | exception Error (c, _) -> Alcotest.(check int) "error code" code c

let contains s sub =
  let ls = String.length s and lsub = String.length sub in
  let rec go i = i + lsub <= ls && (String.sub s i lsub = sub || go (i + 1)) in
  go 0

module O = Typed (Trading.Order)

let order i = { Trading.Order.default with order_id = Int64.of_int i }

let ring_topic bus = O.topic bus ~policy:Lossless ~depth:64 ()

(* The child process: "child DOMAIN same|other" (see [main]).  Exit code 0
   when it saw what it must; its stdout says what it saw. *)
let child dom which =
  let digest = if which = "same" then Trading.schema_digest else other_digest in
  let bus = Bus.create ~name:"ml-dg-child" ~ring_domain:dom ~digest () in
  ring_topic bus;
  let pub = O.publisher ~timeout_ms:10000 bus in
  (if which = "other" then begin
     (match O.subscriber bus with
      | _ -> failwith "subscriber: no digest error"
      | exception Error (c, text) ->
          if c <> Errors.digest then failwith ("subscriber: " ^ text);
          print_endline ("sub " ^ text));
     match O.publish pub (order 1) with
     | () -> failwith "publish: no digest error"
     | exception Error (c, text) ->
         if c <> Errors.digest then failwith ("publish: " ^ text);
         print_endline "pub digest"
   end
   else
     for i = 0 to n - 1 do
       O.publish pub (order i)
     done);
  Bus.close bus;
  exit 0

let run_child dom which =
  let out = Filename.temp_file "ml-dg" ".out" in
  let fd = Unix.openfile out [ Unix.O_WRONLY; Unix.O_TRUNC ] 0o600 in
  let pid =
    Unix.create_process Sys.executable_name
      [| Sys.executable_name; "child"; dom; which |]
      Unix.stdin fd Unix.stderr
  in
  Unix.close fd;
  let _, st = Unix.waitpid [] pid in
  let ic = open_in out in
  let lines = ref [] in
  (try
     while true do
       lines := input_line ic :: !lines
     done
   with End_of_file -> ());
  close_in ic;
  Sys.remove out;
  (st, List.rev !lines)

let with_domain f =
  let dom = Printf.sprintf "mldg%d" (Unix.getpid ()) in
  f dom;
  let left =
    Sys.readdir "/dev/shm" |> Array.to_list
    |> List.filter (fun e -> contains e ("myc." ^ dom ^ "."))
  in
  Alcotest.(check (list string)) "nothing left in /dev/shm" [] left

let check_exchange bus dom =
  let sub = O.subscriber bus in
  let st, lines = run_child dom "other" in
  Alcotest.(check bool) "other child exit 0" true (st = Unix.WEXITED 0);
  (match lines with
   | [ s; p ] ->
       Alcotest.(check bool) ("sub refused: " ^ s) true (contains s "sub " && contains s "digest");
       Alcotest.(check string) "pub refused" "pub digest" p
   | _ -> Alcotest.failf "other child printed %d lines" (List.length lines));
  Alcotest.(check bool) "nothing got through" true (O.recv ~timeout_ms:0 sub = None);
  let st, _ = run_child dom "same" in
  Alcotest.(check bool) "same child exit 0" true (st = Unix.WEXITED 0);
  for i = 0 to n - 1 do
    match O.recv ~timeout_ms:10000 sub with
    | None -> Alcotest.failf "order %d missing" i
    | Some m -> Alcotest.(check int64) "order id" (Int64.of_int i) m.Trading.Order.order_id
  done;
  Alcotest.(check bool) "no more" true (O.recv ~timeout_ms:0 sub = None)

let ring_refuses_other_digest () =
  with_domain (fun dom ->
      let bus =
        Bus.create ~name:"ml-dg-parent" ~ring_domain:dom ~digest:Trading.schema_digest ()
      in
      ring_topic bus;
      check_exchange bus dom;
      Bus.close bus)

let topology_bus_carries_schema_digest () =
  let schema =
    match Sys.getenv_opt "MYC_SCHEMA" with
    | Some s -> s
    | None -> Alcotest.fail "MYC_SCHEMA (the trading schema path) is not set"
  in
  let topo = Filename.temp_file "ml-dg" ".toml" in
  let oc = open_out topo in
  Printf.fprintf oc
    "[[nodes]]\nname = \"engine\"\nservices = [\"risk\"]\n\n\
     [topics.\"oms.order\"]\npolicy = \"lossless\"\nring_size = 64\nmax_size = %d\n"
    Trading.Order.size;
  close_out oc;
  with_domain (fun dom ->
      let bus = Bus.from_topology ~schema ~ring_domain:dom topo ~service:"risk" in
      check_exchange bus dom;
      Bus.close bus);
  Sys.remove topo

let bad_digest_lengths () =
  List.iter
    (fun len ->
      match Bus.create ~name:"ml-dg" ~digest:(String.make len 'x') () with
      | _ -> Alcotest.failf "digest of %d bytes accepted" len
      | exception Invalid_argument m ->
          Alcotest.(check bool) m true
            (contains m (Printf.sprintf "exactly 32 bytes, got %d" len)))
    [ 0; 1; 31; 33; 64 ];
  Alcotest.(check int) "digest_len" 32 Bus.digest_len;
  Alcotest.(check int) "generated digest length" Bus.digest_len
    (String.length Trading.schema_digest);
  Bus.close (Bus.create ~name:"ml-dg" ~digest:Trading.schema_digest ())

(* Poll until the bus reports a refused handshake. *)
let wait_error bus =
  let deadline = Unix.gettimeofday () +. 20. in
  let rec go () =
    match Bus.net_error bus with
    | Some e -> e
    | None ->
        if Unix.gettimeofday () > deadline then Alcotest.fail "no handshake error";
        Thread.delay 0.01;
        go ()
  in
  go ()

let wait_wants bus peer type_id =
  let deadline = Unix.gettimeofday () +. 20. in
  let rec go () =
    let wants =
      try Bus.net_peer_wants bus ~peer ~type_id with Error (c, _) when c = enoent -> false
    in
    if not wants then
      if Unix.gettimeofday () > deadline then Alcotest.failf "peer %s never subscribed" peer
      else (
        Thread.delay 0.01;
        go ())
  in
  go ()

let net_same_digest_links () =
  let d = Trading.schema_digest in
  let rx = Bus.create ~name:"ml-dg-rx" ~digest:d ()
  and tx = Bus.create ~name:"ml-dg-tx" ~digest:d () in
  List.iter (fun b -> O.topic b ~policy:Lossless ~depth:64 ()) [ rx; tx ];
  Bus.net_listen rx "tcp:127.0.0.1:0";
  let sub = O.subscriber rx in
  Bus.net_connect tx (Bus.net_addr rx);
  wait_wants tx "ml-dg-rx" Trading.Order.type_id;
  let pub = O.publisher ~timeout_ms:10000 tx in
  for i = 0 to n - 1 do
    O.publish pub (order i)
  done;
  for i = 0 to n - 1 do
    match O.recv ~timeout_ms:10000 sub with
    | None -> Alcotest.failf "order %d missing" i
    | Some m -> Alcotest.(check int64) "order id" (Int64.of_int i) m.Trading.Order.order_id
  done;
  Alcotest.(check bool) "no error rx" true (Bus.net_error rx = None);
  Alcotest.(check bool) "no error tx" true (Bus.net_error tx = None);
  Bus.close tx;
  Bus.close rx

let hex s = String.concat "" (List.init (String.length s) (fun i -> Printf.sprintf "%02x" (Char.code s.[i])))

let net_other_digest_refused () =
  let a = Bus.create ~name:"ml-dg-a" ~digest:Trading.schema_digest ()
  and b = Bus.create ~name:"ml-dg-b" ~digest:other_digest () in
  List.iter
    (fun bus ->
      O.topic bus ~policy:Lossless ~depth:64 ();
      ignore (O.subscriber bus))
    [ a; b ];
  Bus.net_listen a "tcp:127.0.0.1:0";
  Alcotest.(check bool) "no error yet" true (Bus.net_error a = None);
  Bus.net_connect b (Bus.net_addr a);
  List.iter
    (fun (bus, what) ->
      let code, text = wait_error bus in
      Alcotest.(check int) "Errors.digest" Errors.digest code;
      Alcotest.(check bool) text true (contains text what);
      Alcotest.(check bool) "names a's digest" true
        (contains text ("'ml-dg-a' has " ^ String.sub Trading.schema_digest_hex 0 16));
      Alcotest.(check bool) "names b's digest" true
        (contains text ("'ml-dg-b' has " ^ String.sub (hex other_digest) 0 16)))
    [ (a, "we refused peer 'ml-dg-b': schema digest mismatch");
      (b, "rejected by peer: schema digest mismatch") ];
  expect_error enoent (fun () ->
      Bus.net_peer_wants a ~peer:"ml-dg-b" ~type_id:Trading.Order.type_id);
  expect_error enoent (fun () ->
      Bus.net_peer_wants b ~peer:"ml-dg-a" ~type_id:Trading.Order.type_id);
  Bus.close b;
  Bus.close a

let net_error_without_net () =
  let bus = Bus.create ~name:"ml-dg-none" () in
  expect_error enoent (fun () -> Bus.net_error bus);
  Bus.close bus;
  expect_error 9 (fun () -> Bus.net_error bus)

let () =
  match Array.to_list Sys.argv with
  | [ _; "child"; dom; which ] -> child dom which
  | _ ->
      Alcotest.run "mycelium-digest"
        [
          ( "digest",
            [
              Alcotest.test_case "bad digest lengths" `Quick bad_digest_lengths;
              Alcotest.test_case "ring refuses other digest" `Quick ring_refuses_other_digest;
              Alcotest.test_case "topology bus carries schema digest" `Quick
                topology_bus_carries_schema_digest;
              Alcotest.test_case "net same digest links" `Quick net_same_digest_links;
              Alcotest.test_case "net other digest refused" `Quick net_other_digest_refused;
              Alcotest.test_case "net error without net" `Quick net_error_without_net;
            ] );
        ]
